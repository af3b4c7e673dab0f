// A StreamReader fed by hand (as a protocol feeds it): a readline waiting for the rest of its
// line, empty data ignored, read() until EOF, set_exception waking a waiting read and failing
// later ones, the limit for readuntil but not readexactly, and a limit of 0.
#include "net_pairs.hpp"

using namespace std::chrono_literals;
using conformance::out;
using namespace conformance::net;

static aio::Coro<std::string> readline_of(aio::StreamReader r) { co_return co_await r.readline(); }
static aio::Coro<std::string> readexactly_of(aio::StreamReader r, std::size_t n) {
    co_return co_await r.readexactly(n);
}

static aio::Coro<void> amain() {
    {
        aio::StreamReader r;
        r.feed_data("line one\nline ");
        out("readline: {}", bytes_repr(co_await r.readline()));
        auto t = aio::create_task(readline_of(r));
        co_await aio::sleep(0s);
        out("waiting for the rest: {}", py(!t.done()));
        r.feed_data("two\n");
        out("readline: {}", bytes_repr(co_await t));
        r.feed_data("");  // empty data is ignored
        r.feed_data("tail");
        r.feed_eof();
        out("read(): {}", bytes_repr(co_await r.read()));
        out("at_eof: {}", py(r.at_eof()));
    }
    {
        aio::StreamReader r;
        auto t = aio::create_task(readexactly_of(r, 4));
        co_await aio::sleep(0s);
        r.set_exception(std::make_exception_ptr(aio::ValueError("set by the protocol")));
        try {
            co_await t;
        } catch (const aio::ValueError& e) {
            out("waiting read got: {} {}", conformance::type(std::current_exception()), e.what());
        }
        out("exception(): {}", exc_repr(r.exception()));
        try {
            co_await r.read(1);
        } catch (const aio::ValueError& e) {
            out("later read raises it too: {}", e.what());
        }
    }
    {
        aio::StreamReader r(4);
        r.feed_data("abcdefgh");
        try {
            co_await r.readuntil("z");
        } catch (const aio::LimitOverrunError& e) {
            out("{}: {} consumed={}", conformance::type(std::current_exception()), e.what(), e.consumed());
        }
        out("readexactly ignores the limit: {}", bytes_repr(co_await r.readexactly(8)));
    }
    try {
        aio::StreamReader r(0);
    } catch (const aio::ValueError& e) {
        out("ValueError: {}", e.what());
    }
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
