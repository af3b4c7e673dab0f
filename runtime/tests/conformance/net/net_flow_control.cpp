// The transport's write flow control: asyncio's water-mark rules (defaults, high only, low
// only, ValueError), pause_writing once the kernel buffers are full and the write buffer passes
// the high-water mark, resume_writing once the peer reads and the buffer drains to the low one.
#include <vector>

#include "net_pairs.hpp"

using namespace std::chrono_literals;
using conformance::out;
using namespace conformance::net;

namespace {

class Writer : public aio::Protocol {
public:
    explicit Writer(std::vector<std::string>* events) : events_(events) {}
    void pause_writing() override { events_->push_back("pause_writing"); }
    void resume_writing() override { events_->push_back("resume_writing"); }

private:
    std::vector<std::string>* events_;
};

class Sink : public aio::Protocol {
public:
    Sink(aio::Future<aio::Transport*> f, std::size_t* received) : f_(std::move(f)), received_(received) {}
    void connection_made(aio::Transport& t) override {
        t.pause_reading();  // read nothing until told
        f_.set_result(&t);
    }
    void data_received(std::string_view data) override { *received_ += data.size(); }
    // eof_received() returns false: this side closes itself after the client's close (and the
    // loop then drops the transport, so main must not touch it after that).

private:
    aio::Future<aio::Transport*> f_;
    std::size_t* received_;
};

std::string limits(const aio::Transport& t) {
    const auto [low, high] = t.get_write_buffer_limits();
    return fmt::format("({}, {})", low, high);
}

}  // namespace

static aio::Coro<void> amain() {
    aio::EventLoop& loop = aio::get_running_loop();
    aio::Future<aio::Transport*> server_transport(loop);
    std::size_t received = 0;
    aio::ProtocolFactory factory = [server_transport, &received] {
        return std::make_unique<Sink>(server_transport, &received);
    };
    aio::Server server = co_await loop.create_server(std::move(factory), "127.0.0.1", 0);
    std::vector<std::string> events;
    aio::ProtocolFactory factory2 = [&events] { return std::make_unique<Writer>(&events); };
    auto transport = co_await loop.create_connection(std::move(factory2), "127.0.0.1", port_of(server));
    aio::Transport* st = co_await server_transport;
    out("default limits (low, high): {}", limits(*transport));
    transport->set_write_buffer_limits(4096);
    out("high only: {}", limits(*transport));
    transport->set_write_buffer_limits(std::nullopt, 1000);
    out("low only: {}", limits(*transport));
    try {
        transport->set_write_buffer_limits(10, 20);
    } catch (const aio::ValueError& e) {
        out("ValueError: {}", e.what());
    }
    transport->set_write_buffer_limits(64 * 1024, 16 * 1024);
    const std::string chunk(64 * 1024, 'z');
    std::size_t sent = 0;
    while (events.empty() && sent < 256 * 1024 * 1024) {
        transport->write(chunk);
        sent += chunk.size();
        co_await aio::sleep(0s);
    }
    out("events once the kernel buffers filled: {}", str_list(events));
    out("buffered above the high-water mark: {}", py(transport->get_write_buffer_size() > 64 * 1024));
    st->resume_reading();
    while (std::find(events.begin(), events.end(), "resume_writing") == events.end()) co_await aio::sleep(10ms);
    out("events after the server read: {}", str_list(events));
    out("buffer at or below the low-water mark: {}", py(transport->get_write_buffer_size() <= 16 * 1024));
    transport->close();
    while (received < sent) co_await aio::sleep(10ms);
    out("server received everything: {}", py(received == sent));
    server.close();
    co_await server.wait_closed();
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
