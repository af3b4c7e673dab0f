// CPython 3.12 Lib/test/test_asyncio/test_streams.py, ported (README.md here). The methods
// without a case are in not_applicable_streams.txt or out_of_scope_streams.txt (with the
// reason). The StreamReader cases run on the simulator's loop (no socket); the cases over
// sockets run on the real aio::EventLoop over loopback (TCP and Unix sockets), against
// cpy::TestHttpServer (test_utils.run_test_server) in a thread where the Python uses it.
#include <doctest/doctest.h>

#include <sys/socket.h>
#include <unistd.h>

#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "cpython_net_support.hpp"
#include "cpython_support.hpp"

namespace cpy_streams {

using aio::StreamReader;
using namespace std::chrono_literals;

const std::string DATA = "line1\nline2\nline3\n";

// StreamTests.tearDown: test_utils.run_briefly(self.loop) (transport close callbacks), then
// the loop is closed.
struct Loop {
    std::unique_ptr<aio::EventLoop> loop;
    explicit Loop(std::unique_ptr<aio::EventLoop> l = cpy::new_test_loop()) : loop(std::move(l)) {}
    ~Loop() {
        if (!loop->is_closed()) {
            cpy::run_briefly(*loop);
            loop->close();
        }
    }
    aio::EventLoop* operator->() const noexcept { return loop.get(); }
    aio::EventLoop& operator*() const noexcept { return *loop; }
};

std::exception_ptr value_error() { return std::make_exception_ptr(aio::ValueError("")); }

// The exception handler's calls (the Python's `messages`), until the object goes.
struct Messages {
    aio::EventLoop& loop;
    std::vector<aio::ExceptionContext> got;
    explicit Messages(aio::EventLoop& l) : loop(l) {
        loop.set_exception_handler([this](aio::EventLoop&, const aio::ExceptionContext& c) { got.push_back(c); });
    }
    ~Messages() { loop.set_exception_handler(nullptr); }
    Messages(const Messages&) = delete;
    Messages& operator=(const Messages&) = delete;
};

// The cases over sockets: the real loop (self.loop = asyncio.new_event_loop()).
Loop real_loop() { return Loop(std::make_unique<aio::EventLoop>()); }

// Python's ZeroDivisionError, as an exception that is nothing else.
struct ZeroDivisionError {};

void basetest_open_connection(aio::EventLoop& loop, aio::Coro<aio::StreamPair> open_connection_fut) {
    Messages messages(loop);
    auto [reader, writer] = loop.run_until_complete(std::move(open_connection_fut));
    writer.write("GET / HTTP/1.0\r\n\r\n");
    std::string data = loop.run_until_complete(reader.readline());
    CHECK(data == "HTTP/1.0 200 OK\r\n");
    data = loop.run_until_complete(reader.read());
    CHECK(data.ends_with("\r\n\r\nTest message"));
    writer.close();
    CHECK(messages.got.empty());
}

TEST_CASE("test_streams.py::StreamTests::test_open_connection") {
    Loop loop = real_loop();
    cpy::TestHttpServer httpd;
    basetest_open_connection(*loop, aio::open_connection(httpd.host(), httpd.port()));
}

TEST_CASE("test_streams.py::StreamTests::test_open_unix_connection") {
    Loop loop = real_loop();
    cpy::TestHttpServer httpd(cpy::TestHttpServer::Kind::unix_socket);
    basetest_open_connection(*loop, aio::open_unix_connection(httpd.path()));
}

void basetest_open_connection_error(aio::EventLoop& loop, aio::Coro<aio::StreamPair> open_connection_fut) {
    Messages messages(loop);
    auto [reader, writer] = loop.run_until_complete(std::move(open_connection_fut));
    writer.protocol().connection_lost(std::make_exception_ptr(ZeroDivisionError{}));
    CHECK_THROWS_AS(loop.run_until_complete(reader.read()), ZeroDivisionError);
    writer.close();
    cpy::run_briefly(loop);
    CHECK(messages.got.empty());
}

TEST_CASE("test_streams.py::StreamTests::test_open_connection_error") {
    Loop loop = real_loop();
    cpy::TestHttpServer httpd;
    basetest_open_connection_error(*loop, aio::open_connection(httpd.host(), httpd.port()));
}

TEST_CASE("test_streams.py::StreamTests::test_open_unix_connection_error") {
    Loop loop = real_loop();
    cpy::TestHttpServer httpd(cpy::TestHttpServer::Kind::unix_socket);
    basetest_open_connection_error(*loop, aio::open_unix_connection(httpd.path()));
}

TEST_CASE("test_streams.py::StreamTests::test_feed_empty_data") {
    Loop loop;
    StreamReader stream;
    stream.feed_data("");
    CHECK(stream.buffer() == "");
}

TEST_CASE("test_streams.py::StreamTests::test_feed_nonempty_data") {
    Loop loop;
    StreamReader stream;
    stream.feed_data(DATA);
    CHECK(stream.buffer() == DATA);
}

TEST_CASE("test_streams.py::StreamTests::test_read_zero") {
    Loop loop;
    StreamReader stream;
    stream.feed_data(DATA);
    std::string data = loop->run_until_complete(stream.read(0));
    CHECK(data == "");
    CHECK(stream.buffer() == DATA);
}

TEST_CASE("test_streams.py::StreamTests::test_read") {
    Loop loop;
    StreamReader stream;
    aio::Task<std::string> read_task = loop->create_task(stream.read(30));
    loop->call_soon([&] { stream.feed_data(DATA); });
    std::string data = loop->run_until_complete(read_task);
    CHECK(data == DATA);
    CHECK(stream.buffer() == "");
}

TEST_CASE("test_streams.py::StreamTests::test_read_line_breaks") {
    Loop loop;
    StreamReader stream;
    stream.feed_data("line1");
    stream.feed_data("line2");
    std::string data = loop->run_until_complete(stream.read(5));
    CHECK(data == "line1");
    CHECK(stream.buffer() == "line2");
}

TEST_CASE("test_streams.py::StreamTests::test_read_eof") {
    Loop loop;
    StreamReader stream;
    aio::Task<std::string> read_task = loop->create_task(stream.read(1024));
    loop->call_soon([&] { stream.feed_eof(); });
    std::string data = loop->run_until_complete(read_task);
    CHECK(data == "");
    CHECK(stream.buffer() == "");
}

TEST_CASE("test_streams.py::StreamTests::test_read_until_eof") {
    Loop loop;
    StreamReader stream;
    aio::Task<std::string> read_task = loop->create_task(stream.read(-1));
    loop->call_soon([&] {
        stream.feed_data("chunk1\n");
        stream.feed_data("chunk2");
        stream.feed_eof();
    });
    std::string data = loop->run_until_complete(read_task);
    CHECK(data == "chunk1\nchunk2");
    CHECK(stream.buffer() == "");
}

TEST_CASE("test_streams.py::StreamTests::test_read_exception") {
    Loop loop;
    StreamReader stream;
    stream.feed_data("line\n");
    std::string data = loop->run_until_complete(stream.read(2));
    CHECK(data == "li");
    stream.set_exception(value_error());
    CHECK_THROWS_AS(loop->run_until_complete(stream.read(2)), aio::ValueError);
}

TEST_CASE("test_streams.py::StreamTests::test_invalid_limit") {
    Loop loop;
    CHECK_THROWS_WITH_AS(StreamReader(0), doctest::Contains("imit"), aio::ValueError);
    // limit=-1: aio::StreamReader's limit is a std::size_t, so a negative limit cannot be
    // passed (it converts to a huge limit); 0 is the one invalid value.
}

TEST_CASE("test_streams.py::StreamTests::test_read_limit") {
    Loop loop;
    StreamReader stream(3);
    stream.feed_data("chunk");
    std::string data = loop->run_until_complete(stream.read(5));
    CHECK(data == "chunk");
    CHECK(stream.buffer() == "");
}

TEST_CASE("test_streams.py::StreamTests::test_readline") {
    // Read one line. readline() will need to wait for the data to come from cb.
    Loop loop;
    StreamReader stream;
    stream.feed_data("chunk1 ");
    aio::Task<std::string> read_task = loop->create_task(stream.readline());
    loop->call_soon([&] {
        stream.feed_data("chunk2 ");
        stream.feed_data("chunk3 ");
        stream.feed_data("\n chunk4");
    });
    std::string line = loop->run_until_complete(read_task);
    CHECK(line == "chunk1 chunk2 chunk3 \n");
    CHECK(stream.buffer() == " chunk4");
}

TEST_CASE("test_streams.py::StreamTests::test_readline_limit_with_existing_data") {
    // The data is in the buffer before the loop runs.
    Loop loop;
    {
        StreamReader stream(3);
        stream.feed_data("li");
        stream.feed_data("ne1\nline2\n");
        CHECK_THROWS_AS(loop->run_until_complete(stream.readline()), aio::ValueError);
        // The buffer should contain the remaining data after the exception.
        CHECK(stream.buffer() == "line2\n");
    }
    {
        StreamReader stream(3);
        stream.feed_data("li");
        stream.feed_data("ne1");
        stream.feed_data("li");
        CHECK_THROWS_AS(loop->run_until_complete(stream.readline()), aio::ValueError);
        // No "\n" at the end; past the limit of 3 readline() drops the whole buffer.
        CHECK(stream.buffer() == "");
    }
}

TEST_CASE("test_streams.py::StreamTests::test_at_eof") {
    Loop loop;
    StreamReader stream;
    CHECK_FALSE(stream.at_eof());
    stream.feed_data("some data\n");
    CHECK_FALSE(stream.at_eof());
    loop->run_until_complete(stream.readline());
    CHECK_FALSE(stream.at_eof());
    stream.feed_data("some data\n");
    stream.feed_eof();
    loop->run_until_complete(stream.readline());
    CHECK(stream.at_eof());
}

TEST_CASE("test_streams.py::StreamTests::test_readline_limit") {
    // The readers are fed after their readline() is called.
    Loop loop;
    {
        StreamReader stream(7);
        loop->call_soon([&] {
            stream.feed_data("chunk1");
            stream.feed_data("chunk2");
            stream.feed_data("chunk3\n");
            stream.feed_eof();
        });
        CHECK_THROWS_AS(loop->run_until_complete(stream.readline()), aio::ValueError);
        // The buffer had just one line of data: after the ValueError it is empty.
        CHECK(stream.buffer() == "");
    }
    {
        StreamReader stream(7);
        loop->call_soon([&] {
            stream.feed_data("chunk1");
            stream.feed_data("chunk2\n");
            stream.feed_data("chunk3\n");
            stream.feed_eof();
        });
        CHECK_THROWS_AS(loop->run_until_complete(stream.readline()), aio::ValueError);
        CHECK(stream.buffer() == "chunk3\n");
    }
    // The strictness of the limit.
    StreamReader stream(7);
    stream.feed_data("1234567\n");
    std::string line = loop->run_until_complete(stream.readline());
    CHECK(line == "1234567\n");
    CHECK(stream.buffer() == "");

    stream.feed_data("12345678\n");
    CHECK_THROWS_AS(loop->run_until_complete(stream.readline()), aio::ValueError);
    CHECK(stream.buffer() == "");

    stream.feed_data("12345678");
    CHECK_THROWS_AS(loop->run_until_complete(stream.readline()), aio::ValueError);
    CHECK(stream.buffer() == "");
}

TEST_CASE("test_streams.py::StreamTests::test_readline_nolimit_nowait") {
    // All the data the first readline() needs is in the buffer.
    Loop loop;
    StreamReader stream;
    stream.feed_data(DATA.substr(0, 6));
    stream.feed_data(DATA.substr(6));
    std::string line = loop->run_until_complete(stream.readline());
    CHECK(line == "line1\n");
    CHECK(stream.buffer() == "line2\nline3\n");
}

TEST_CASE("test_streams.py::StreamTests::test_readline_eof") {
    Loop loop;
    StreamReader stream;
    stream.feed_data("some data");
    stream.feed_eof();
    std::string line = loop->run_until_complete(stream.readline());
    CHECK(line == "some data");
}

TEST_CASE("test_streams.py::StreamTests::test_readline_empty_eof") {
    Loop loop;
    StreamReader stream;
    stream.feed_eof();
    std::string line = loop->run_until_complete(stream.readline());
    CHECK(line == "");
}

TEST_CASE("test_streams.py::StreamTests::test_readline_read_byte_count") {
    Loop loop;
    StreamReader stream;
    stream.feed_data(DATA);
    loop->run_until_complete(stream.readline());
    std::string data = loop->run_until_complete(stream.read(7));
    CHECK(data == "line2\nl");
    CHECK(stream.buffer() == "ine3\n");
}

TEST_CASE("test_streams.py::StreamTests::test_readline_exception") {
    Loop loop;
    StreamReader stream;
    stream.feed_data("line\n");
    std::string data = loop->run_until_complete(stream.readline());
    CHECK(data == "line\n");
    stream.set_exception(value_error());
    CHECK_THROWS_AS(loop->run_until_complete(stream.readline()), aio::ValueError);
    CHECK(stream.buffer() == "");
}

TEST_CASE("test_streams.py::StreamTests::test_readuntil_separator") {
    Loop loop;
    StreamReader stream;
    CHECK_THROWS_WITH_AS(loop->run_until_complete(stream.readuntil("")), doctest::Contains("Separator should be"),
                         aio::ValueError);
}

TEST_CASE("test_streams.py::StreamTests::test_readuntil_multi_chunks") {
    Loop loop;
    StreamReader stream;

    stream.feed_data("lineAAA");
    std::string data = loop->run_until_complete(stream.readuntil("AAA"));  // separator=b'AAA'
    CHECK(data == "lineAAA");
    CHECK(stream.buffer() == "");

    stream.feed_data("lineAAA");
    data = loop->run_until_complete(stream.readuntil("AAA"));
    CHECK(data == "lineAAA");
    CHECK(stream.buffer() == "");

    stream.feed_data("lineAAAxxx");
    data = loop->run_until_complete(stream.readuntil("AAA"));
    CHECK(data == "lineAAA");
    CHECK(stream.buffer() == "xxx");
}

TEST_CASE("test_streams.py::StreamTests::test_readuntil_multi_chunks_1") {
    Loop loop;
    StreamReader stream;

    stream.feed_data("QWEaa");
    stream.feed_data("XYaa");
    stream.feed_data("a");
    std::string data = loop->run_until_complete(stream.readuntil("aaa"));
    CHECK(data == "QWEaaXYaaa");
    CHECK(stream.buffer() == "");

    stream.feed_data("QWEaa");
    stream.feed_data("XYa");
    stream.feed_data("aa");
    data = loop->run_until_complete(stream.readuntil("aaa"));
    CHECK(data == "QWEaaXYaaa");
    CHECK(stream.buffer() == "");

    stream.feed_data("aaa");
    data = loop->run_until_complete(stream.readuntil("aaa"));
    CHECK(data == "aaa");
    CHECK(stream.buffer() == "");

    stream.feed_data("Xaaa");
    data = loop->run_until_complete(stream.readuntil("aaa"));
    CHECK(data == "Xaaa");
    CHECK(stream.buffer() == "");

    stream.feed_data("XXX");
    stream.feed_data("a");
    stream.feed_data("a");
    stream.feed_data("a");
    data = loop->run_until_complete(stream.readuntil("aaa"));
    CHECK(data == "XXXaaa");
    CHECK(stream.buffer() == "");
}

TEST_CASE("test_streams.py::StreamTests::test_readuntil_eof") {
    Loop loop;
    StreamReader stream;
    const std::string data = "some dataAA";
    stream.feed_data(data);
    stream.feed_eof();
    try {
        loop->run_until_complete(stream.readuntil("AAA"));
        FAIL("no IncompleteReadError");
    } catch (const aio::IncompleteReadError& e) {
        CHECK(std::string(e.what()).find("undefined expected bytes") != std::string::npos);
        CHECK(e.partial() == data);
        CHECK_FALSE(e.expected().has_value());  // assertIsNone(cm.exception.expected)
    }
    CHECK(stream.buffer() == "");
}

TEST_CASE("test_streams.py::StreamTests::test_readuntil_limit_found_sep") {
    Loop loop;
    StreamReader stream(3);
    stream.feed_data("some dataAA");
    CHECK_THROWS_WITH_AS(loop->run_until_complete(stream.readuntil("AAA")), doctest::Contains("not found"),
                         aio::LimitOverrunError);
    CHECK(stream.buffer() == "some dataAA");

    stream.feed_data("A");
    CHECK_THROWS_WITH_AS(loop->run_until_complete(stream.readuntil("AAA")), doctest::Contains("is found"),
                         aio::LimitOverrunError);
    CHECK(stream.buffer() == "some dataAAA");
}

TEST_CASE("test_streams.py::StreamTests::test_readexactly_zero_or_less") {
    // Read an exact number of bytes (zero or less).
    Loop loop;
    StreamReader stream;
    stream.feed_data(DATA);
    std::string data = loop->run_until_complete(stream.readexactly(0));
    CHECK(data == "");
    CHECK(stream.buffer() == DATA);
    // readexactly(-1), ValueError 'less than zero': aio's count is a std::size_t, a negative
    // count cannot be passed. What the Python checks after it: the buffer is untouched.
    CHECK(stream.buffer() == DATA);
}

TEST_CASE("test_streams.py::StreamTests::test_readexactly") {
    Loop loop;
    StreamReader stream;
    const std::size_t n = 2 * DATA.size();
    aio::Task<std::string> read_task = loop->create_task(stream.readexactly(n));
    loop->call_soon([&] {
        stream.feed_data(DATA);
        stream.feed_data(DATA);
        stream.feed_data(DATA);
    });
    std::string data = loop->run_until_complete(read_task);
    CHECK(data == DATA + DATA);
    CHECK(stream.buffer() == DATA);
}

TEST_CASE("test_streams.py::StreamTests::test_readexactly_limit") {
    Loop loop;
    StreamReader stream(3);
    stream.feed_data("chunk");
    std::string data = loop->run_until_complete(stream.readexactly(5));
    CHECK(data == "chunk");
    CHECK(stream.buffer() == "");
}

TEST_CASE("test_streams.py::StreamTests::test_readexactly_eof") {
    Loop loop;
    StreamReader stream;
    const std::size_t n = 2 * DATA.size();
    aio::Task<std::string> read_task = loop->create_task(stream.readexactly(n));
    loop->call_soon([&] {
        stream.feed_data(DATA);
        stream.feed_eof();
    });
    try {
        loop->run_until_complete(read_task);
        FAIL("no IncompleteReadError");
    } catch (const aio::IncompleteReadError& e) {
        CHECK(e.partial() == DATA);
        CHECK(e.expected() == n);
        CHECK(std::string(e.what()) == "18 bytes read on a total of 36 expected bytes");
    }
    CHECK(stream.buffer() == "");
}

TEST_CASE("test_streams.py::StreamTests::test_readexactly_exception") {
    Loop loop;
    StreamReader stream;
    stream.feed_data("line\n");
    std::string data = loop->run_until_complete(stream.readexactly(2));
    CHECK(data == "li");
    stream.set_exception(value_error());
    CHECK_THROWS_AS(loop->run_until_complete(stream.readexactly(2)), aio::ValueError);
}

TEST_CASE("test_streams.py::StreamTests::test_exception") {
    Loop loop;
    StreamReader stream;
    CHECK(stream.exception() == nullptr);
    std::exception_ptr exc = value_error();
    stream.set_exception(exc);
    CHECK(stream.exception() == exc);  // assertIs
}

aio::Coro<void> set_err(StreamReader stream) {
    stream.set_exception(value_error());
    co_return;
}

TEST_CASE("test_streams.py::StreamTests::test_exception_waiter") {
    Loop loop;
    StreamReader stream;
    aio::Task<std::string> t1 = loop->create_task(stream.readline());
    aio::Task<void> t2 = loop->create_task(set_err(stream));
    loop->run_until_complete(aio::wait(std::vector<aio::AnyTask>{t1, t2}));
    CHECK_THROWS_AS(t1.result(), aio::ValueError);
}

TEST_CASE("test_streams.py::StreamTests::test_exception_cancel") {
    Loop loop;
    StreamReader stream;
    aio::Task<std::string> t = loop->create_task(stream.readline());
    cpy::run_briefly(*loop);
    t.cancel();
    cpy::run_briefly(*loop);
    // The following line fails if set_exception() isn't careful.
    stream.set_exception(std::make_exception_ptr(aio::RuntimeError("message")));
    cpy::run_briefly(*loop);
    CHECK_FALSE(stream.has_waiter());  // assertIs(stream._waiter, None)
}

// test_start_server's and test_start_unix_server's MyServer.
struct MyServer {
    aio::EventLoop& loop;
    std::string path;  // the Unix variant's
    aio::Server server;

    static aio::Coro<void> handle_client(StreamReader client_reader, aio::StreamWriter client_writer) {
        std::string data = co_await client_reader.readline();
        client_writer.write(data);
        co_await client_writer.drain();
        client_writer.close();
        co_await client_writer.wait_closed();
    }

    // A client callback that is a plain function in the Python (it only creates the task):
    // aio's start_server callback is always a coroutine, so this one creates the task and ends.
    aio::ClientConnected handle_client_callback() {
        return [this](StreamReader client_reader, aio::StreamWriter client_writer) -> aio::Coro<void> {
            loop.create_task(handle_client(std::move(client_reader), std::move(client_writer)));
            co_return;
        };
    }

    // The Python passes sock=socket.create_server(('127.0.0.1', 0)); aio's start_server takes
    // no sock=, so it listens on ('127.0.0.1', 0) itself and the address is read back.
    aio::SocketAddress start() {
        server = loop.run_until_complete(aio::start_server(handle_client, "127.0.0.1", 0));
        return server.sockets().at(0);
    }

    aio::SocketAddress start_callback() {
        // A free port: bound by a socket that is closed at once.
        aio::SocketAddress addr;
        {
            aio::Socket sock = aio::Socket::open(AF_INET);
            const aio::SocketAddress any = aio::SocketAddress::ip("127.0.0.1", 0);
            REQUIRE(::bind(sock.fd(), any.data(), any.size()) == 0);
            addr = aio::SocketAddress::local_of(sock.fd());
        }
        server = loop.run_until_complete(aio::start_server(handle_client_callback(), addr.host(), addr.port()));
        return addr;
    }

    void start_unix() { server = loop.run_until_complete(aio::start_unix_server(handle_client, path)); }
    void start_unix_callback() {
        server = loop.run_until_complete(aio::start_unix_server(handle_client_callback(), path));
    }

    void stop() {
        if (server) {
            server.close();
            loop.run_until_complete(server.wait_closed());
            server = aio::Server();
        }
    }
};

aio::Coro<std::string> client(aio::SocketAddress addr) {
    auto [reader, writer] = co_await aio::open_connection(addr.host(), addr.port());
    writer.write("hello world!\n");                    // send a line
    std::string msgback = co_await reader.readline();  // read it back
    writer.close();
    co_await writer.wait_closed();
    co_return msgback;
}

aio::Coro<std::string> unix_client(std::string path) {
    auto [reader, writer] = co_await aio::open_unix_connection(std::move(path));
    writer.write("hello world!\n");
    std::string msgback = co_await reader.readline();
    writer.close();
    co_await writer.wait_closed();
    co_return msgback;
}

TEST_CASE("test_streams.py::StreamTests::test_start_server") {
    Loop loop = real_loop();
    Messages messages(*loop);
    {
        // The server variant with a coroutine as client handler.
        MyServer server{*loop, {}, {}};
        aio::SocketAddress addr = server.start();
        std::string msg = loop->run_until_complete(loop->create_task(client(addr)));
        server.stop();
        CHECK(msg == "hello world!\n");
    }
    {
        // The server variant with a callback as client handler.
        MyServer server{*loop, {}, {}};
        aio::SocketAddress addr = server.start_callback();
        std::string msg = loop->run_until_complete(loop->create_task(client(addr)));
        server.stop();
        CHECK(msg == "hello world!\n");
    }
    CHECK(messages.got.empty());
}

TEST_CASE("test_streams.py::StreamTests::test_start_unix_server") {
    Loop loop = real_loop();
    Messages messages(*loop);
    {
        // The server variant with a coroutine as client handler.
        cpy::UnixSocketPath path;
        MyServer server{*loop, path.str(), {}};
        server.start_unix();
        std::string msg = loop->run_until_complete(loop->create_task(unix_client(path.str())));
        server.stop();
        CHECK(msg == "hello world!\n");
    }
    {
        // The server variant with a callback as client handler.
        cpy::UnixSocketPath path;
        MyServer server{*loop, path.str(), {}};
        server.start_unix_callback();
        std::string msg = loop->run_until_complete(loop->create_task(unix_client(path.str())));
        server.stop();
        CHECK(msg == "hello world!\n");
    }
    CHECK(messages.got.empty());
}

aio::Coro<void> drainer(aio::FlowControlProtocol& stream, int& drained) {
    co_await stream.drain_helper();
    ++drained;
}

TEST_CASE("test_streams.py::StreamTests::test_multiple_drain") {
    // https://github.com/python/cpython/issues/74116
    Loop loop;
    int drained = 0;
    auto amain = [&]() -> aio::Coro<void> {
        aio::EventLoop& running = aio::get_running_loop();
        aio::FlowControlProtocol stream(running);
        stream.pause_writing();
        running.call_later(100ms, [&stream] { stream.resume_writing(); });
        std::vector<aio::Task<void>> drainers;
        for (int i = 0; i < 10; ++i) drainers.push_back(running.create_task(drainer(stream, drained)));
        co_await aio::gather(std::move(drainers));
        CHECK(drained == 10);
    };
    loop->run_until_complete(amain());
    CHECK(drained == 10);
}

TEST_CASE("test_streams.py::StreamTests::test_drain_raises") {
    // https://bugs.python.org/issue25441: drain() never gave up the loop while the server had
    // closed the socket. The server is not asyncio's: a thread that accepts and closes.
    Loop loop = real_loop();
    Messages messages(*loop);
    const int listening = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);  // socket.create_server(('localhost', 0))
    REQUIRE(listening >= 0);
    const aio::SocketAddress any = aio::SocketAddress::ip("127.0.0.1", 0);
    REQUIRE(::bind(listening, any.data(), any.size()) == 0);
    REQUIRE(::listen(listening, 1) == 0);
    const aio::SocketAddress addr = aio::SocketAddress::local_of(listening);
    std::thread thread([listening] {
        const int clt = ::accept(listening, nullptr, nullptr);
        if (clt >= 0) ::close(clt);
        ::close(listening);
    });
    auto amain = [&]() -> aio::Coro<void> {
        auto [reader, writer] = co_await aio::open_connection(addr.host(), addr.port());
        for (;;) {
            writer.write("foo\n");
            co_await writer.drain();
        }
    };
    // Should not be stuck in an infinite loop.
    try {
        loop->run_until_complete(amain());
        FAIL("no error");
    } catch (const aio::ConnectionError& e) {
        const bool expected = dynamic_cast<const aio::ConnectionResetError*>(&e) ||
                              dynamic_cast<const aio::ConnectionAbortedError*>(&e) ||
                              dynamic_cast<const aio::BrokenPipeError*>(&e);
        CHECK_MESSAGE(expected, e.what());
    }
    thread.join();
    CHECK(messages.got.empty());
}

TEST_CASE("test_streams.py::StreamTests::test_wait_closed_on_close") {
    Loop loop = real_loop();
    cpy::TestHttpServer httpd;
    auto [rd, wr] = loop->run_until_complete(aio::open_connection(httpd.host(), httpd.port()));
    wr.write("GET / HTTP/1.0\r\n\r\n");
    std::string data = loop->run_until_complete(rd.readline());
    CHECK(data == "HTTP/1.0 200 OK\r\n");
    data = loop->run_until_complete(rd.read());
    CHECK(data.ends_with("\r\n\r\nTest message"));
    CHECK_FALSE(wr.is_closing());
    wr.close();
    CHECK(wr.is_closing());
    loop->run_until_complete(wr.wait_closed());
}

TEST_CASE("test_streams.py::StreamTests::test_wait_closed_on_close_with_unread_data") {
    Loop loop = real_loop();
    cpy::TestHttpServer httpd;
    auto [rd, wr] = loop->run_until_complete(aio::open_connection(httpd.host(), httpd.port()));
    wr.write("GET / HTTP/1.0\r\n\r\n");
    std::string data = loop->run_until_complete(rd.readline());
    CHECK(data == "HTTP/1.0 200 OK\r\n");
    wr.close();
    loop->run_until_complete(wr.wait_closed());
}

aio::Coro<void> async_writer_api_inner(const cpy::TestHttpServer& httpd) {
    auto [rd, wr] = co_await aio::open_connection(httpd.host(), httpd.port());
    wr.write("GET / HTTP/1.0\r\n\r\n");
    std::string data = co_await rd.readline();
    CHECK(data == "HTTP/1.0 200 OK\r\n");
    data = co_await rd.read();
    CHECK(data.ends_with("\r\n\r\nTest message"));
    wr.close();
    co_await wr.wait_closed();
}

TEST_CASE("test_streams.py::StreamTests::test_async_writer_api") {
    Loop loop = real_loop();
    Messages messages(*loop);
    {
        cpy::TestHttpServer httpd;
        loop->run_until_complete(async_writer_api_inner(httpd));
    }
    CHECK(messages.got.empty());
}

aio::Coro<void> exception_after_close_inner(const cpy::TestHttpServer& httpd) {
    auto [rd, wr] = co_await aio::open_connection(httpd.host(), httpd.port());
    wr.write("GET / HTTP/1.0\r\n\r\n");
    std::string data = co_await rd.readline();
    CHECK(data == "HTTP/1.0 200 OK\r\n");
    data = co_await rd.read();
    CHECK(data.ends_with("\r\n\r\nTest message"));
    wr.close();
    bool raised = false;
    try {  // with self.assertRaises(ConnectionResetError):
        wr.write("data");
        co_await wr.drain();
    } catch (const aio::ConnectionResetError&) {
        raised = true;
    }
    CHECK(raised);
}

TEST_CASE("test_streams.py::StreamTests::test_async_writer_api_exception_after_close") {
    Loop loop = real_loop();
    Messages messages(*loop);
    {
        cpy::TestHttpServer httpd;
        loop->run_until_complete(exception_after_close_inner(httpd));
    }
    CHECK(messages.got.empty());
}

TEST_CASE("test_streams.py::StreamTests::test_eof_feed_when_closing_writer") {
    // https://bugs.python.org/issue35065
    Loop loop = real_loop();
    Messages messages(*loop);
    {
        cpy::TestHttpServer httpd;
        auto [rd, wr] = loop->run_until_complete(aio::open_connection(httpd.host(), httpd.port()));
        wr.close();
        loop->run_until_complete(wr.wait_closed());
        CHECK(rd.at_eof());
        std::string data = loop->run_until_complete(rd.read());
        CHECK(data == "");
    }
    CHECK(messages.got.empty());
}

TEST_CASE("test_streams.py::StreamTests::test_unhandled_exceptions") {
    Loop loop = real_loop();
    // socket_helper.find_unused_port()
    std::uint16_t port = 0;
    {
        aio::Socket sock = aio::Socket::open(AF_INET);
        const aio::SocketAddress any = aio::SocketAddress::ip("127.0.0.1", 0);
        REQUIRE(::bind(sock.fd(), any.data(), any.size()) == 0);
        port = aio::SocketAddress::local_of(sock.fd()).port();
    }
    Messages messages(*loop);
    auto client = [port]() -> aio::Coro<void> {
        auto [rd, wr] = co_await aio::open_connection("localhost", port);
        wr.write("test msg");
        co_await wr.drain();
        wr.close();
        co_await wr.wait_closed();
    };
    auto amain = [&]() -> aio::Coro<void> {
        auto handle_echo = [](StreamReader, aio::StreamWriter) -> aio::Coro<void> {
            throw std::runtime_error("test");  // Exception('test')
            co_return;
        };
        aio::Server server = co_await aio::start_server(handle_echo, "localhost", port);
        co_await server.start_serving();
        co_await client();
        server.close();
        co_await server.wait_closed();
    };
    loop->run_until_complete(amain());
    REQUIRE_FALSE(messages.got.empty());
    CHECK(messages.got[0].message == "Unhandled exception in client_connected_cb");
}

}  // namespace cpy_streams
