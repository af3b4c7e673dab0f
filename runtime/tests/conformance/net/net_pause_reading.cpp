// pause_reading/resume_reading: nothing is delivered while paused (a second pause is a no-op),
// the data comes after resume; is_reading() follows, and is false once closing.
#include "net_pairs.hpp"

using namespace std::chrono_literals;
using conformance::out;
using namespace conformance::net;

namespace {

class Collect : public aio::Protocol {
public:
    std::string data;
    aio::Event got;
    void data_received(std::string_view d) override {
        data += d;
        got.set();
    }
};

class ServerSide : public aio::Protocol {
public:
    explicit ServerSide(aio::Future<aio::Transport*> f) : f_(std::move(f)) {}
    void connection_made(aio::Transport& t) override { f_.set_result(&t); }

private:
    aio::Future<aio::Transport*> f_;
};

}  // namespace

static aio::Coro<void> amain() {
    aio::EventLoop& loop = aio::get_running_loop();
    aio::Future<aio::Transport*> server_transport(loop);
    aio::ProtocolFactory factory = [server_transport] { return std::make_unique<ServerSide>(server_transport); };
    aio::Server server = co_await loop.create_server(std::move(factory), "127.0.0.1", 0);
    auto transport =
        co_await loop.create_connection([] { return std::make_unique<Collect>(); }, "127.0.0.1", port_of(server));
    auto& proto = static_cast<Collect&>(transport->get_protocol());
    aio::Transport* st = co_await server_transport;
    out("reading at first: {}", py(transport->is_reading()));
    transport->pause_reading();
    out("after pause_reading: {}", py(transport->is_reading()));
    transport->pause_reading();  // a second pause is allowed and does nothing
    st->write("while paused");
    co_await aio::sleep(200ms);
    out("delivered while paused: {}", bytes_repr(proto.data));
    transport->resume_reading();
    out("after resume_reading: {}", py(transport->is_reading()));
    co_await proto.got.wait();
    out("delivered after resume: {}", bytes_repr(proto.data));
    transport->close();
    out("reading after close: {}", py(transport->is_reading()));
    st->close();
    server.close();
    co_await server.wait_closed();
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
