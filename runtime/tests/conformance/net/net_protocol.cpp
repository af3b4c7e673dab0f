// Protocols under create_server/create_connection: the server upper-cases and answers EOF
// itself; the client sees connection_made, data_received, eof_received, connection_lost(None)
// in that order, and the transport closes after eof_received returns false.
#include <cctype>
#include <vector>

#include "net_pairs.hpp"

using conformance::out;
using namespace conformance::net;

namespace {

class EchoServer : public aio::Protocol {
public:
    void connection_made(aio::Transport& t) override { transport_ = &t; }
    void data_received(std::string_view data) override {
        std::string up(data);
        for (char& c : up) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        transport_->write(up);
    }
    bool eof_received() override {
        transport_->write("[server saw EOF]");
        return false;  // the transport closes itself after the buffered data
    }

private:
    aio::Transport* transport_ = nullptr;
};

class Client : public aio::Protocol {
public:
    Client(std::vector<std::string>* events, aio::Future<std::string> done) : events_(events), done_(std::move(done)) {}
    void connection_made(aio::Transport& t) override {
        events_->push_back("connection_made");
        t.write("hello protocol");
        t.write_eof();
    }
    void data_received(std::string_view data) override {
        if (received_.empty()) events_->push_back("data_received");
        received_ += data;
    }
    bool eof_received() override {
        events_->push_back("eof_received");
        return false;
    }
    void connection_lost(std::exception_ptr exc) override {
        events_->push_back(exc ? fmt::format("connection_lost({})", exc_repr(exc)) : "connection_lost(None)");
        done_.set_result(received_);
    }

private:
    std::vector<std::string>* events_;
    aio::Future<std::string> done_;
    std::string received_;
};

}  // namespace

static aio::Coro<void> amain() {
    aio::EventLoop& loop = aio::get_running_loop();
    aio::Server server = co_await loop.create_server([] { return std::make_unique<EchoServer>(); }, "127.0.0.1", 0);
    std::vector<std::string> events;
    aio::Future<std::string> done(loop);
    aio::ProtocolFactory factory = [&events, done] { return std::make_unique<Client>(&events, done); };
    std::shared_ptr<aio::Transport> transport =
        co_await loop.create_connection(std::move(factory), "127.0.0.1", port_of(server));
    out("connected; protocol is the factory's: {}", py(dynamic_cast<Client*>(&transport->get_protocol()) != nullptr));
    out("received: {}", bytes_repr(co_await done));
    out("events: {}", str_list(events));
    out("transport closing: {}", py(transport->is_closing()));
    server.close();
    co_await server.wait_closed();
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
