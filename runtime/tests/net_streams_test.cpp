// The memory transport (aio::memory_pipe) and the streams over it: asyncio.StreamReader's
// buffer, limit and errors (CPython 3.12's test_streams.py cases and messages), the protocol's
// flow control (drain), the writer, and what cancellation leaves behind. No file descriptors:
// these run on any loop.
#include <doctest/doctest.h>

#include <aio/aio.hpp>
#include <memory>
#include <string>
#include <vector>

#include "support.hpp"

using namespace std::chrono_literals;

namespace {

using aio_test::passes;

// describe(), with Python's names for the OSError subclasses these tests meet (the runtime's
// describe() learns them in another branch; this keeps these tests independent of it).
std::string describe(std::exception_ptr e) {
    try {
        std::rethrow_exception(e);
    } catch (const aio::ConnectionResetError& x) {
        return std::string("ConnectionResetError: ") + x.what();
    } catch (const aio::BrokenPipeError& x) {
        return std::string("BrokenPipeError: ") + x.what();
    } catch (...) {
        return aio::describe(e);
    }
}

// A protocol that logs its events.
struct Recorder final : aio::Protocol {
    std::vector<std::string>* log;
    std::string name;
    bool keep_open_on_eof = false;
    bool throw_on_data = false;
    aio::Transport* transport = nullptr;
    std::string data;
    Recorder(std::vector<std::string>* l, std::string n) : log(l), name(std::move(n)) {}
    void connection_made(aio::Transport& t) override {
        transport = &t;
        log->push_back(name + " made");
    }
    void data_received(std::string_view d) override {
        if (throw_on_data) throw std::out_of_range("bad data");
        data += d;
        log->push_back(fmt::format("{} data {}", name, d.size()));
    }
    bool eof_received() override {
        log->push_back(name + " eof");
        return keep_open_on_eof;
    }
    void connection_lost(std::exception_ptr e) override {
        log->push_back(e ? name + " lost " + describe(e) : name + " lost");
    }
    void pause_writing() override { log->push_back(name + " pause"); }
    void resume_writing() override { log->push_back(name + " resume"); }
};

struct Pipe {
    std::vector<std::string> log;
    Recorder* a = nullptr;
    Recorder* b = nullptr;
    std::shared_ptr<aio::MemoryTransport> ta, tb;
    explicit Pipe(aio::MemoryPipeOptions o = {}) {
        auto pa = std::make_unique<Recorder>(&log, "a");
        auto pb = std::make_unique<Recorder>(&log, "b");
        a = pa.get();
        b = pb.get();
        auto [x, y] = aio::memory_pipe(aio::get_running_loop(), std::move(pa), std::move(pb), std::move(o));
        ta = x;
        tb = y;
    }
};

template <class E, class F>
std::string error_of(F&& f) {
    try {
        f();
    } catch (const E& e) {
        return e.what();
    }
    return "<no error>";
}

// Awaits c and returns describe() of what it raised, or "ok: <result>".
aio::Coro<std::string> outcome(aio::Coro<std::string> c) {
    try {
        std::string r = co_await std::move(c);
        co_return "ok: " + r;
    } catch (...) {
        co_return describe(std::current_exception());
    }
}
aio::Coro<std::string> outcome_void(aio::Coro<void> c) {
    try {
        co_await std::move(c);
        co_return "ok";
    } catch (...) {
        co_return describe(std::current_exception());
    }
}

aio::Coro<std::string> read_task(aio::StreamReader r, std::ptrdiff_t n) { co_return co_await r.read(n); }

aio::Coro<void> logged(std::string name, aio::Coro<std::string> c, std::vector<std::string>* log) {
    log->push_back(name + " " + co_await outcome(std::move(c)));
}

// Writes `total` bytes in chunks, draining after each; counts the completed drains.
aio::Coro<void> write_all(aio::StreamWriter w, std::size_t total, std::size_t chunk, int* drains) {
    std::string block(chunk, 'x');
    for (std::size_t sent = 0; sent < total; sent += chunk) {
        w.write(block);
        co_await w.drain();
        ++*drains;
    }
}

}  // namespace

TEST_SUITE("memory transport") {
    TEST_CASE("connection_made on both ends first; bytes arrive on a later pass; writes before it wait") {
        aio::run([]() -> aio::Coro<void> {
            Pipe p;
            p.ta->write("early");  // before connection_made: sits in the link
            CHECK(p.log.empty());
            CHECK(p.tb->incoming_size() == 5);
            co_await aio::sleep(0s);
            CHECK(p.log == std::vector<std::string>{"a made", "b made"});
            co_await aio::sleep(0s);
            CHECK(p.log.back() == "b data 5");
            p.tb->write("reply");
            CHECK(p.a->data.empty());  // never inside write()
            co_await passes(2);
            CHECK(p.a->data == "reply");
            CHECK(p.b->data == "early");
            p.ta->close();
            p.tb->close();
            co_await passes(3);
            CHECK(p.ta->connection_lost_called());
            CHECK(p.tb->connection_lost_called());
        }());
    }

    TEST_CASE(
        "a link holds `capacity` bytes: the rest is buffered, pause_writing above the high mark, resume at the low "
        "one") {
        aio::run([]() -> aio::Coro<void> {
            Pipe p({.capacity = 100});
            co_await passes(2);
            p.ta->set_write_buffer_limits(200, 50);
            CHECK(p.ta->get_write_buffer_limits() == std::pair<std::size_t, std::size_t>{50, 200});
            p.tb->pause_reading();
            CHECK_FALSE(p.tb->is_reading());
            p.ta->write(std::string(250, 'x'));
            CHECK(p.ta->get_write_buffer_size() == 150);                    // 100 went into the link
            CHECK(std::count(p.log.begin(), p.log.end(), "a pause") == 0);  // 150 <= 200
            p.ta->write(std::string(100, 'y'));
            CHECK(p.ta->get_write_buffer_size() == 250);
            CHECK(p.log.back() == "a pause");
            co_await passes(5);
            CHECK(p.b->data.empty());  // paused: nothing delivered
            CHECK(p.ta->get_write_buffer_size() == 250);
            p.tb->resume_reading();
            // Each pass moves at most a link's worth: read 100, refill 100, ...
            co_await passes(20);
            CHECK(p.b->data == std::string(250, 'x') + std::string(100, 'y'));
            CHECK(p.ta->get_write_buffer_size() == 0);
            const auto resumes = std::count(p.log.begin(), p.log.end(), "a resume");
            CHECK(resumes == 1);
            p.ta->abort();
            p.tb->abort();
            co_await passes(2);
        }());
    }

    TEST_CASE("max_read bounds one data_received") {
        aio::run([]() -> aio::Coro<void> {
            Pipe p({.capacity = 1000, .max_read = 300});
            co_await passes(2);
            p.ta->write(std::string(1000, 'z'));
            co_await passes(6);
            std::vector<std::string> data;
            for (auto& l : p.log)
                if (l.starts_with("b data")) data.push_back(l);
            CHECK(data == std::vector<std::string>{"b data 300", "b data 300", "b data 300", "b data 100"});
            p.ta->close();
            p.tb->close();
            co_await passes(3);
        }());
    }

    TEST_CASE(
        "write_eof: the peer gets its data, then eof_received; returning false closes it; the writer still reads") {
        aio::run([]() -> aio::Coro<void> {
            Pipe p;
            co_await passes(2);
            CHECK(p.ta->can_write_eof());
            p.ta->write("request");
            p.ta->write_eof();
            CHECK(error_of<aio::RuntimeError>([&] { p.ta->write("more"); }) == "Cannot call write() after write_eof()");
            co_await passes(10);
            CHECK(p.b->data == "request");
            CHECK(p.tb->is_closing());  // eof_received returned false: asyncio closes
            // b's close is an EOF for a, which had not closed its reading side.
            CHECK(p.log ==
                  std::vector<std::string>{"a made", "b made", "b data 7", "b eof", "b lost", "a eof", "a lost"});
        }());
    }

    TEST_CASE("half-close: eof_received returning true keeps the transport writable") {
        aio::run([]() -> aio::Coro<void> {
            Pipe p;
            p.b->keep_open_on_eof = true;
            co_await passes(2);
            p.ta->write_eof();
            co_await passes(2);
            CHECK(p.log.back() == "b eof");
            CHECK_FALSE(p.tb->is_closing());
            p.tb->write("answer");
            p.tb->close();
            co_await passes(4);
            CHECK(p.a->data == "answer");
            CHECK(std::find(p.log.begin(), p.log.end(), "b lost") != p.log.end());
            CHECK(std::find(p.log.begin(), p.log.end(), "a eof") != p.log.end());
        }());
    }

    TEST_CASE("close() sends the buffer first, connection_lost(nullptr) once; later writes are ignored") {
        aio::run([]() -> aio::Coro<void> {
            Pipe p({.capacity = 10});
            co_await passes(2);
            p.ta->write(std::string(35, 'q'));
            p.ta->close();
            CHECK(p.ta->is_closing());
            // Still sending its buffer: a write is refused (the socket transport's rule too).
            CHECK(error_of<aio::RuntimeError>([&] { p.ta->write("more"); }) == "Cannot call write() after close()");
            p.ta->close();  // idempotent
            co_await passes(12);
            CHECK(p.b->data == std::string(35, 'q'));
            CHECK(std::count(p.log.begin(), p.log.end(), "a lost") == 1);
            p.ta->write("ignored");  // the connection is lost: asyncio ignores it
            co_await passes(3);
            CHECK(p.b->data.size() == 35);
            CHECK(std::find(p.log.begin(), p.log.end(), "b eof") != p.log.end());
        }());
    }

    TEST_CASE("abort() drops the buffer; the peer reads what was in flight, then ConnectionResetError") {
        aio::run([]() -> aio::Coro<void> {
            Pipe p({.capacity = 4});
            co_await passes(2);
            p.ta->write("12345678");
            p.ta->abort();
            CHECK(p.ta->get_write_buffer_size() == 0);
            co_await passes(4);
            CHECK(p.b->data == "1234");
            CHECK(std::find(p.log.begin(), p.log.end(), "a lost") != p.log.end());
            CHECK(p.log.back() == "b lost ConnectionResetError: [Errno 104] Connection reset by peer");
        }());
    }

    TEST_CASE("writing to a closed peer fails with BrokenPipeError") {
        aio::run([]() -> aio::Coro<void> {
            Pipe p;
            p.b->keep_open_on_eof = true;
            co_await passes(2);
            p.tb->close();
            co_await passes(1);
            CHECK(p.log.back() == "b lost");
            p.ta->write("anyone?");
            co_await passes(1);
            CHECK(p.log.back() == "a lost BrokenPipeError: [Errno 32] Broken pipe");
        }());
    }

    TEST_CASE("a protocol error in data_received is reported and closes the connection with it") {
        aio_test::Reports reports;
        aio::run(
            []() -> aio::Coro<void> {
                Pipe p;
                p.b->throw_on_data = true;
                co_await passes(2);
                p.ta->write("x");
                co_await passes(3);
                CHECK(std::find(p.log.begin(), p.log.end(), "b lost std::out_of_range: bad data") != p.log.end());
                CHECK(p.tb->is_closing());
                co_await passes(4);
                CHECK(p.log.back() == "a lost");  // b's end closed without a reset: a saw EOF
                CHECK(std::find(p.log.begin(), p.log.end(), "a eof") != p.log.end());
            }(),
            reports.options());
        REQUIRE(reports.contexts.size() == 1);
        CHECK(reports.contexts[0].message == "Fatal error: protocol.data_received() call failed.");
        CHECK(aio::describe(reports.contexts[0].exception) == "std::out_of_range: bad data");
    }

    TEST_CASE("set_write_buffer_limits follows asyncio's defaults and checks") {
        aio::run([]() -> aio::Coro<void> {
            Pipe p;
            using L = std::pair<std::size_t, std::size_t>;
            CHECK(p.ta->get_write_buffer_limits() == L{16 * 1024, 64 * 1024});
            p.ta->set_write_buffer_limits(std::nullopt, 100);
            CHECK(p.ta->get_write_buffer_limits() == L{100, 400});
            p.ta->set_write_buffer_limits(1000);
            CHECK(p.ta->get_write_buffer_limits() == L{250, 1000});
            CHECK(error_of<aio::ValueError>([&] { p.ta->set_write_buffer_limits(10, 20); }) ==
                  "high (10) must be >= low (20) must be >= 0");
            CHECK(error_of<aio::ValueError>([&] {
                      (void)aio::memory_pipe(aio::get_running_loop(), std::make_unique<aio::Protocol>(),
                                             std::make_unique<aio::Protocol>(), {.capacity = 0});
                  }) == "memory_pipe(): capacity and max_read must be at least 1");
            p.ta->abort();
            p.tb->abort();
            co_await passes(2);
        }());
    }

    TEST_CASE("a transport dropped while open closes like a socket: the peer sees EOF") {
        aio::run([]() -> aio::Coro<void> {
            Pipe p;
            co_await passes(2);
            std::weak_ptr<aio::MemoryTransport> weak = p.ta;
            p.ta->write("last words");
            p.ta.reset();
            CHECK(weak.expired());
            co_await passes(3);
            CHECK(p.b->data == "last words");
            CHECK(std::find(p.log.begin(), p.log.end(), "b eof") != p.log.end());
            co_await passes(2);
            CHECK(p.log.back() == "b lost");
        }());
    }

    TEST_CASE("names and get_extra_info") {
        aio::run([]() -> aio::Coro<void> {
            Pipe p({.first_address = aio::SocketAddress::ip("10.0.0.1", 4000),
                    .second_address = aio::SocketAddress::ip("10.0.0.2", 80)});
            CHECK(p.ta->sockname()->str() == "('10.0.0.1', 4000)");
            CHECK(p.ta->peername()->str() == "('10.0.0.2', 80)");
            CHECK(std::any_cast<aio::SocketAddress>(p.tb->get_extra_info("peername")).str() == "('10.0.0.1', 4000)");
            CHECK(std::any_cast<int>(p.tb->get_extra_info("socket", -1)) == -1);
            Pipe anonymous;
            CHECK_FALSE(anonymous.ta->peername().has_value());
            CHECK_FALSE(anonymous.ta->get_extra_info("peername").has_value());
            for (auto* t : {p.ta.get(), p.tb.get(), anonymous.ta.get(), anonymous.tb.get()}) t->close();
            co_await passes(3);
        }());
    }

    TEST_CASE("the loop closing with transports still open leaves nothing behind") {
        // ASan's leak check is the assertion here: pending callbacks held the transports.
        aio::EventLoop loop;
        std::vector<std::string> log;
        {
            auto [a, b] =
                aio::memory_pipe(loop, std::make_unique<Recorder>(&log, "a"), std::make_unique<Recorder>(&log, "b"));
            a->write("pending");
        }
        loop.close();
        CHECK(log.empty());
    }
}

TEST_SUITE("StreamReader") {
    TEST_CASE("read(n), read(0), read(-1), at_eof over fed data") {
        aio::run([]() -> aio::Coro<void> {
            aio::StreamReader r;
            CHECK(r.limit() == 64 * 1024);
            r.feed_data("line1\nline2\n");
            CHECK(co_await r.read(0) == "");
            CHECK(co_await r.read(3) == "lin");
            CHECK(co_await r.read(100) == "e1\nline2\n");
            CHECK_FALSE(r.at_eof());
            auto t = aio::create_task(read_task(r, -1));
            co_await aio::sleep(0s);
            r.feed_data("a");
            co_await aio::sleep(0s);
            r.feed_data("b");
            r.feed_eof();
            CHECK(co_await t == "ab");
            CHECK(r.at_eof());
            CHECK(co_await r.read(5) == "");
            CHECK(co_await r.read() == "");
            CHECK(error_of<aio::RuntimeError>([&] { r.feed_data("late"); }) == "feed_data after feed_eof");
        }());
    }

    TEST_CASE("the wake-ups take CPython's passes") {
        // CPython 3.12 logs: ['fed ab', 'tick1', 'fed c', "line b'abc\\n'", 'tick2', 'tick3', 'eof',
        // 'exact IncompleteReadError: 2 bytes read on a total of 5 expected bytes', 'tick4', 'tick5']
        aio::run([]() -> aio::Coro<void> {
            aio::StreamReader r;
            std::vector<std::string> log;
            auto t1 = aio::create_task(logged("line", r.readline(), &log));
            co_await aio::sleep(0s);
            r.feed_data("ab");
            log.push_back("fed ab");
            co_await aio::sleep(0s);
            log.push_back("tick1");
            r.feed_data("c\nde");
            log.push_back("fed c");
            co_await aio::sleep(0s);
            log.push_back("tick2");
            co_await aio::sleep(0s);
            log.push_back("tick3");
            auto t2 = aio::create_task(logged("exact", r.readexactly(5), &log));
            co_await aio::sleep(0s);
            r.feed_eof();
            log.push_back("eof");
            co_await aio::sleep(0s);
            log.push_back("tick4");
            co_await aio::sleep(0s);
            log.push_back("tick5");
            CHECK(log ==
                  std::vector<std::string>{"fed ab", "tick1", "fed c", "line ok: abc\n", "tick2", "tick3", "eof",
                                           "exact IncompleteReadError: 2 bytes read on a total of 5 expected bytes",
                                           "tick4", "tick5"});
            CHECK((t1.done() && t2.done()));
        }());
    }

    TEST_CASE("limit 0 is refused") {
        CHECK(error_of<aio::ValueError>([] { aio::StreamReader r(0); }) == "Limit cannot be <= 0");
    }

    TEST_CASE("readline: lines, the incomplete rest at EOF, then empty") {
        aio::run([]() -> aio::Coro<void> {
            aio::StreamReader r;
            r.feed_data("chunk1 ");
            auto t = aio::create_task(r.readline());
            co_await aio::sleep(0s);
            r.feed_data("chunk2 ");
            co_await aio::sleep(0s);
            CHECK_FALSE(t.done());
            r.feed_data("chunk3\nline2");
            CHECK(co_await t == "chunk1 chunk2 chunk3\n");
            CHECK(r.buffered() == 5);
            r.feed_eof();
            CHECK(co_await r.readline() == "line2");
            CHECK(co_await r.readline() == "");
        }());
    }

    TEST_CASE("readline past the limit: ValueError; the line is dropped if its end was seen, else the buffer") {
        aio::run([]() -> aio::Coro<void> {
            // test_streams.test_readline_limit_with_existing_data
            aio::StreamReader r(3);
            r.feed_data("li");
            r.feed_data("ne1\nline2\n");
            CHECK(co_await outcome(r.readline()) == "ValueError: Separator is found, but chunk is longer than limit");
            CHECK(r.buffered() == 6);  // the long line went, with its separator
            CHECK(co_await r.read(6) == "line2\n");

            aio::StreamReader r2(3);
            r2.feed_data("li");
            r2.feed_data("ne1");
            r2.feed_data("li");
            CHECK(co_await outcome(r2.readline()) == "ValueError: Separator is not found, and chunk exceed the limit");
            CHECK(r2.buffered() == 0);  // no separator seen: everything went

            // test_readline_limit: the limit counts the line without its separator.
            aio::StreamReader r3(7);
            r3.feed_data("1234567\n");
            CHECK(co_await r3.readline() == "1234567\n");
            r3.feed_data("12345678\n");
            CHECK(co_await outcome(r3.readline()) == "ValueError: Separator is found, but chunk is longer than limit");
            r3.feed_data("12345678");
            CHECK(co_await outcome(r3.readline()) == "ValueError: Separator is not found, and chunk exceed the limit");
            CHECK(r3.buffered() == 0);
        }());
    }

    TEST_CASE("readuntil: multi-byte separators, LimitOverrunError keeps the data, IncompleteReadError at EOF") {
        aio::run([]() -> aio::Coro<void> {
            aio::StreamReader r;
            r.feed_data("lineAAA");
            CHECK(co_await r.readuntil("AAA") == "lineAAA");
            r.feed_data("lineAAAxxx");
            CHECK(co_await r.readuntil("AAA") == "lineAAA");
            CHECK(r.buffered() == 3);
            CHECK(co_await outcome(r.readuntil("")) == "ValueError: Separator should be at least one-byte string");

            aio::StreamReader small(3);
            small.feed_data("some dataAA");
            try {
                (void)co_await small.readuntil("AA");
                FAIL("no LimitOverrunError");
            } catch (const aio::LimitOverrunError& e) {
                CHECK(std::string(e.what()) == "Separator is found, but chunk is longer than limit");
                CHECK(e.consumed() == 9);
            }
            CHECK(small.buffered() == 11);  // left for the caller
            aio::StreamReader small2(3);
            small2.feed_data("some dataAA");
            try {
                (void)co_await small2.readuntil("AAA");
                FAIL("no LimitOverrunError");
            } catch (const aio::LimitOverrunError& e) {
                CHECK(std::string(e.what()) == "Separator is not found, and chunk exceed the limit");
                CHECK(e.consumed() == 9);  // 11 + 1 - 3
            }

            aio::StreamReader eof;
            eof.feed_data("some dataA");
            eof.feed_eof();
            try {
                (void)co_await eof.readuntil("AA");
                FAIL("no IncompleteReadError");
            } catch (const aio::IncompleteReadError& e) {
                CHECK(e.partial() == "some dataA");
                CHECK_FALSE(e.expected().has_value());
                CHECK(std::string(e.what()) == "10 bytes read on a total of undefined expected bytes");
            }
            CHECK(eof.buffered() == 0);
            // The separator arriving with the EOF is still found.
            aio::StreamReader last;
            last.feed_data("end!!");
            last.feed_eof();
            CHECK(co_await last.readuntil("!!") == "end!!");
        }());
    }

    TEST_CASE("readexactly: waits for n bytes; EOF first gives IncompleteReadError with the partial bytes") {
        aio::run([]() -> aio::Coro<void> {
            aio::StreamReader r;
            auto t = aio::create_task(r.readexactly(10));
            co_await aio::sleep(0s);
            r.feed_data("12345");
            co_await aio::sleep(0s);
            CHECK_FALSE(t.done());
            r.feed_data("67890abc");
            CHECK(co_await t == "1234567890");
            CHECK(co_await r.readexactly(0) == "");
            r.feed_eof();
            try {
                (void)co_await r.readexactly(5);
                FAIL("no IncompleteReadError");
            } catch (const aio::EOFError& e) {  // an EOFError, as in Python
                auto* ire = dynamic_cast<const aio::IncompleteReadError*>(&e);
                REQUIRE(ire != nullptr);
                CHECK(ire->partial() == "abc");
                CHECK(ire->expected() == std::optional<std::size_t>(5));
                CHECK(std::string(e.what()) == "3 bytes read on a total of 5 expected bytes");
            }
            CHECK(r.buffered() == 0);
        }());
    }

    TEST_CASE("set_exception: every read raises it, a waiting read is woken with it") {
        aio::run([]() -> aio::Coro<void> {
            aio::StreamReader r;
            auto t = aio::create_task(outcome(r.readline()));
            co_await aio::sleep(0s);
            CHECK(r.has_waiter());
            r.set_exception(std::make_exception_ptr(aio::ValueError("boom")));
            CHECK(co_await t == "ValueError: boom");
            CHECK_FALSE(r.has_waiter());
            r.feed_data("data");
            CHECK(co_await outcome(r.read(0)) == "ValueError: boom");
            CHECK(co_await outcome(r.readexactly(1)) == "ValueError: boom");
            CHECK(co_await outcome(r.readuntil("x")) == "ValueError: boom");
            CHECK(aio::describe(r.exception()) == "ValueError: boom");
        }());
    }

    TEST_CASE("one waiting reader at a time: a second gets asyncio's RuntimeError") {
        aio::run([]() -> aio::Coro<void> {
            aio::StreamReader r;
            auto first = aio::create_task(r.read(5));
            co_await aio::sleep(0s);
            CHECK(co_await outcome(r.read(5)) ==
                  "RuntimeError: read() called while another coroutine is already waiting for incoming data");
            CHECK(co_await outcome(r.readexactly(3)) ==
                  "RuntimeError: readexactly() called while another coroutine is already waiting for incoming data");
            CHECK(co_await outcome(r.readline()) ==
                  "RuntimeError: readuntil() called while another coroutine is already waiting for incoming data");
            r.feed_data("hello");
            CHECK(co_await first == "hello");
        }());
    }

    TEST_CASE("a cancelled read leaves the buffer as it was and no waiter; the next read works") {
        aio::run([]() -> aio::Coro<void> {
            aio::StreamReader r;
            r.feed_data("part");
            auto t = aio::create_task(r.readexactly(10));
            co_await aio::sleep(0s);
            CHECK(r.has_waiter());
            t.cancel();
            co_await aio::sleep(0s);
            CHECK(t.cancelled());
            CHECK_FALSE(r.has_waiter());
            CHECK(r.buffered() == 4);
            r.feed_data("-rest-");
            CHECK(co_await r.readexactly(10) == "part-rest-");
        }());
    }

    TEST_CASE("a read task made from a temporary handle keeps the reader alive") {
        aio::run([]() -> aio::Coro<void> {
            aio::StreamReader r;
            auto t = aio::create_task(aio::StreamReader(r).read(3));  // the copy dies at once
            co_await aio::sleep(0s);
            r.feed_data("abcdef");
            CHECK(co_await t == "abc");
        }());
    }

    TEST_CASE("describe() names the stream errors as Python does") {
        CHECK(aio::describe(std::make_exception_ptr(aio::IncompleteReadError("ab", 4))) ==
              "IncompleteReadError: 2 bytes read on a total of 4 expected bytes");
        CHECK(aio::describe(std::make_exception_ptr(aio::LimitOverrunError("msg", 3))) == "LimitOverrunError: msg");
        CHECK(aio::exception_type_name(std::make_exception_ptr(aio::EOFError("x"))) == "EOFError");
    }
}

TEST_SUITE("streams over memory") {
    TEST_CASE("an exchange of lines, writelines, half-close with write_eof, wait_closed") {
        aio::run([]() -> aio::Coro<void> {
            auto [client, server] = aio::memory_streams(aio::get_running_loop());
            auto& [cr, cw] = client;
            auto& [sr, sw] = server;
            cw.write("hello\n");
            cw.writelines({"wor", "ld\n"});
            CHECK(cw.can_write_eof());
            cw.write_eof();
            CHECK(co_await sr.readline() == "hello\n");
            CHECK(co_await sr.readline() == "world\n");
            CHECK(co_await sr.read() == "");
            CHECK(sr.at_eof());
            CHECK_FALSE(sw.is_closing());  // the protocol keeps a half-closed connection open
            sw.write("bye\n");
            co_await sw.drain();
            sw.close();
            CHECK(sw.is_closing());
            co_await sw.wait_closed();
            CHECK(co_await cr.readline() == "bye\n");
            CHECK(co_await cr.read() == "");
            cw.close();
            co_await cw.wait_closed();
            CHECK(cw.protocol().is_connection_lost());
        }());
    }

    TEST_CASE("EOF in the middle of readexactly") {
        aio::run([]() -> aio::Coro<void> {
            auto [client, server] = aio::memory_streams(aio::get_running_loop());
            client.second.write("abc");
            client.second.close();
            try {
                (void)co_await server.first.readexactly(10);
                FAIL("no IncompleteReadError");
            } catch (const aio::IncompleteReadError& e) {
                CHECK(e.partial() == "abc");
            }
            server.second.close();
            co_await server.second.wait_closed();
        }());
    }

    TEST_CASE("the reader pauses the transport above 2 * limit and resumes it at limit") {
        aio::run([]() -> aio::Coro<void> {
            auto [client, server] =
                aio::memory_streams(aio::get_running_loop(), {.capacity = 1000, .max_read = 10}, 100);
            auto& sr = server.first;
            auto& peer = server.second.transport();
            client.second.write(std::string(1000, 'x'));
            co_await passes(30);
            // Chunks of 10 until the buffer passed 200: paused at 210.
            CHECK(sr.paused());
            CHECK_FALSE(peer.is_reading());
            CHECK(sr.buffered() == 210);
            co_await passes(5);
            CHECK(sr.buffered() == 210);  // nothing more arrives while paused
            CHECK(co_await sr.read(100) == std::string(100, 'x'));
            CHECK(sr.paused());  // 110 > limit
            CHECK(co_await sr.read(10) == std::string(10, 'x'));
            CHECK_FALSE(sr.paused());  // 100 <= limit
            CHECK(peer.is_reading());
            // readexactly of more than the limit resumes the transport while it waits.
            CHECK((co_await sr.readexactly(890)).size() == 890);
            client.second.close();
            server.second.close();
            co_await server.second.wait_closed();
        }());
    }

    TEST_CASE("drain() waits while the peer does not read, and returns once it reads") {
        aio::run([]() -> aio::Coro<void> {
            auto [client, server] = aio::memory_streams(aio::get_running_loop(), {.capacity = 4096});
            auto& cw = client.second;
            cw.transport().set_write_buffer_limits(8192);
            int drains = 0;
            auto writer = aio::create_task(write_all(cw, 1 << 20, 4096, &drains));
            co_await passes(200);
            // The server reads nothing; but its reader is paused only past 2 * 64 KiB, so the
            // writer got that far before its buffer rose above the high mark.
            CHECK_FALSE(writer.done());
            CHECK(cw.protocol().writing_paused());
            CHECK(cw.protocol().drain_waiters() == 1);
            const int stuck = drains;
            co_await passes(20);
            CHECK(drains == stuck);  // no progress without a reader
            std::string got = co_await server.first.readexactly(1 << 20);
            co_await writer;
            CHECK(got.size() == std::size_t(1) << 20);
            CHECK(drains == 256);
            CHECK(cw.protocol().drain_waiters() == 0);
            cw.close();
            server.second.close();
            co_await cw.wait_closed();
        }());
    }

    TEST_CASE("a cancelled drain leaves no waiter") {
        aio::run([]() -> aio::Coro<void> {
            auto [client, server] = aio::memory_streams(aio::get_running_loop(), {.capacity = 10});
            auto& cw = client.second;
            cw.transport().set_write_buffer_limits(100);
            co_await passes(2);
            server.second.transport().pause_reading();
            cw.write(std::string(500, 'd'));
            CHECK(cw.protocol().writing_paused());
            auto t = aio::create_task(cw.drain());
            co_await aio::sleep(0s);
            CHECK(cw.protocol().drain_waiters() == 1);
            t.cancel();
            co_await aio::sleep(0s);
            CHECK(t.cancelled());
            CHECK(cw.protocol().drain_waiters() == 0);
            cw.transport().abort();
            server.second.close();
            co_await cw.wait_closed();
        }());
    }

    TEST_CASE("drain() of a lost connection: the reader's error, else ConnectionResetError('Connection lost')") {
        aio::run([]() -> aio::Coro<void> {
            auto [client, server] = aio::memory_streams(aio::get_running_loop());
            co_await passes(2);
            // Closing: drain yields once so that connection_lost runs, then reports it.
            client.second.close();
            CHECK(co_await outcome_void(client.second.drain()) == "ConnectionResetError: Connection lost");

            // The peer aborted: the server's reader holds the reset, drain raises it.
            auto [c2, s2] = aio::memory_streams(aio::get_running_loop());
            co_await passes(2);
            c2.second.transport().abort();
            co_await passes(3);
            CHECK(co_await outcome_void(s2.second.drain()) ==
                  "ConnectionResetError: [Errno 104] Connection reset by peer");
            CHECK(co_await outcome(s2.first.read()) == "ConnectionResetError: [Errno 104] Connection reset by peer");
            CHECK(co_await outcome_void(s2.second.wait_closed()) ==
                  "ConnectionResetError: [Errno 104] Connection reset by peer");
            server.second.close();
        }());
    }

    TEST_CASE("a drain waiting when the connection is reset gets the error") {
        aio::run([]() -> aio::Coro<void> {
            auto [client, server] = aio::memory_streams(aio::get_running_loop(), {.capacity = 10});
            auto& sw = server.second;
            sw.transport().set_write_buffer_limits(20);
            co_await passes(2);
            client.second.transport().pause_reading();
            sw.write(std::string(100, 'r'));
            auto t = aio::create_task(outcome_void(sw.drain()));
            co_await aio::sleep(0s);
            client.second.transport().abort();
            CHECK(co_await t == "ConnectionResetError: [Errno 104] Connection reset by peer");
        }());
    }

    TEST_CASE(
        "a server protocol runs the client callback as a task; its exception is reported and closes the transport") {
        aio_test::Reports reports;
        aio::run(
            []() -> aio::Coro<void> {
                auto& loop = aio::get_running_loop();
                int served = 0;
                auto cb = std::make_shared<const aio::ClientConnected>(
                    [&served](aio::StreamReader r, aio::StreamWriter w) -> aio::Coro<void> {
                        std::string line = co_await r.readline();
                        ++served;
                        if (line == "fail\n") throw aio::ValueError("bad request");
                        w.write("echo " + line);
                        co_await w.drain();
                        w.close();
                    });
                for (const char* request : {"hi\n", "fail\n"}) {
                    aio::StreamReader client_reader;
                    auto [tc, ts] =
                        aio::memory_pipe(loop, std::make_unique<aio::StreamReaderProtocol>(loop, client_reader),
                                         std::make_unique<aio::StreamReaderProtocol>(loop, aio::StreamReader(), cb));
                    aio::StreamWriter cw(tc, static_cast<aio::StreamReaderProtocol&>(tc->get_protocol()),
                                         client_reader);
                    ts.reset();  // the callback's writer holds the server end
                    cw.write(request);
                    CHECK(co_await client_reader.read() == (std::string(request) == "hi\n" ? "echo hi\n" : ""));
                    cw.close();
                    co_await cw.wait_closed();
                }
                CHECK(served == 2);
            }(),
            reports.options());
        REQUIRE(reports.contexts.size() == 1);
        CHECK(reports.contexts[0].message == "Unhandled exception in client_connected_cb");
        CHECK(aio::describe(reports.contexts[0].exception) == "ValueError: bad request");
    }

    TEST_CASE("the writer's names come from the transport") {
        aio::run([]() -> aio::Coro<void> {
            auto [client, server] = aio::memory_streams(
                aio::get_running_loop(), {.first_address = aio::SocketAddress::unix_path("/tmp/c.sock"),
                                          .second_address = aio::SocketAddress::unix_path("/tmp/s.sock")});
            CHECK(client.second.peername()->str() == "'/tmp/s.sock'");
            CHECK(server.second.sockname()->str() == "'/tmp/s.sock'");
            CHECK(std::any_cast<aio::SocketAddress>(server.second.get_extra_info("peername")).str() == "'/tmp/c.sock'");
            CHECK(std::any_cast<int>(client.second.get_extra_info("nothing", 7)) == 7);
            client.second.close();
            server.second.close();
            co_await client.second.wait_closed();
            co_await server.second.wait_closed();
        }());
    }
}
