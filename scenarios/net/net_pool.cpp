// A connection pool that takes back a connection whose request was cancelled: the next caller
// reads the previous caller's reply (redis-py's CVE-2023-28858 in miniature).
//
// A key-value server (host "db") answers "get KEY" with "value of KEY". Three callers (on the
// main task's host, which no fault crashes) share a pool of at most two connections and make three queries each, every query
// under a 1 s timeout (retried on a timeout or a connection error). The pool hands a
// connection back when the query is over, whatever ended it. In asyncio's own order with no
// fault every reply comes at once and each caller reads its own. When a fault holds a reply
// past the timeout (the reply direction stalls, the hosts are partitioned), the timeout
// cancels the query with its reply still on the way; the connection goes back to the pool,
// and whoever uses it next reads that reply as its own.
//
//   bug_net_pool     the pool takes every connection back that is not closing.
//   net_pool_fixed   a connection whose query did not read its reply is closed, not returned.
#include <aio/aio.hpp>
#include <aio/net/streams.hpp>
#include <aio/scenario.hpp>
#include <aio/sim/network.hpp>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

using namespace std::chrono_literals;
using aio::scenario::Context;

namespace {

constexpr int kCallers = 3;
constexpr int kQueries = 3;
constexpr int kPoolSize = 2;
constexpr auto kQueryTimeout = 1s;
constexpr auto kBackoff = 250ms;
constexpr int kAttempts = 200;

enum class Variant { take_back_always, close_unfinished };

struct Listening {
    std::uint16_t port = 0;
    aio::Event ready;
};

std::string_view chomp(std::string_view line) {
    if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
    return line;
}

// Closes a connection however its user ends: done, an error, or cancelled (a timeout, or
// aio::run's cleanup). A frame the loop destroys as it closes (the tasks of a run the simulator
// stopped) finds no running loop: nothing to close any more, and close() would throw from a
// destructor.
struct Closing {
    aio::StreamWriter& writer;
    ~Closing() {
        if (aio::EventLoop::running() != nullptr) writer.close();
    }
};

aio::Coro<void> db_session(aio::StreamReader reader, aio::StreamWriter writer) {
    Closing closing{writer};
    try {
        for (;;) {
            const std::string request = co_await reader.readline();
            if (request.empty()) break;
            std::string_view key = chomp(request);
            if (key.starts_with("get ")) key.remove_prefix(4);
            writer.write(fmt::format("value of {}\n", key));
            co_await writer.drain();
        }
    } catch (const aio::OSError&) {
        // reset by the client
    }
}

aio::Coro<void> db(Listening& where) {
    aio::sim::Host& me = aio::sim::network().current_host();
    aio::Server server = co_await aio::start_server(db_session, me.address(), where.port);
    // Serving from here on (the loop keeps a listening server alive) until the program ends. Not
    // serve_forever(): cancelled by aio::run's cleanup it waits until every connection it
    // accepted is closed, and (asyncio 3.12.1) a connection whose handler task is cancelled
    // before its first step is never closed: the shutdown hangs (the simulator's deadlock
    // report found it when a connect and the end of the program met).
    where.port = server.sockets().at(0).port();
    where.ready.set();
}

// At most kPoolSize connections to one server; a caller waits for a free one.
class Pool {
public:
    Pool(std::string host, std::uint16_t port) : host_(std::move(host)), port_(port) {}
    Pool(const Pool&) = delete;
    Pool& operator=(const Pool&) = delete;
    ~Pool() {
        if (aio::EventLoop::running() == nullptr) return;  // as Closing
        for (auto& c : idle_) c.second.close();
    }

    // A connection of the caller's own until give_back() or discard().
    aio::Coro<aio::StreamPair> take() {
        co_await slots_.acquire();
        try {
            while (!idle_.empty()) {
                aio::StreamPair c = std::move(idle_.back());
                idle_.pop_back();
                if (!c.second.is_closing()) co_return c;
            }
            co_return co_await aio::open_connection(host_, port_);
        } catch (...) {
            slots_.release();
            throw;
        }
    }
    void give_back(aio::StreamPair c) {
        if (!c.second.is_closing()) idle_.push_back(std::move(c));
        slots_.release();
    }
    void discard(aio::StreamPair c) {
        if (aio::EventLoop::running() != nullptr) c.second.close();  // as Closing
        slots_.release();
    }

private:
    std::string host_;
    std::uint16_t port_;
    std::vector<aio::StreamPair> idle_;
    aio::Semaphore slots_{kPoolSize};
};

// A connection taken from the pool for one query; it goes back when the query's scope ends.
class Lease {
public:
    Lease(Pool& pool, Variant variant, aio::StreamPair c) : pool_(pool), variant_(variant), c_(std::move(c)) {}
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() {
        if (variant_ == Variant::take_back_always || replied_)
            pool_.give_back(std::move(c_));  // the bug when the reply was not read: it is still coming
        else
            pool_.discard(std::move(c_));  // the fix: a connection with a reply in flight is unusable
    }
    aio::StreamReader& reader() noexcept { return c_.first; }
    aio::StreamWriter& writer() noexcept { return c_.second; }
    void replied() noexcept { replied_ = true; }

private:
    Pool& pool_;
    Variant variant_;
    aio::StreamPair c_;
    bool replied_ = false;
};

aio::Coro<std::string> get(Pool& pool, Variant variant, std::string key) {
    Lease lease(pool, variant, co_await pool.take());
    lease.writer().write(fmt::format("get {}\n", key));
    co_await lease.writer().drain();
    const std::string reply = co_await lease.reader().readuntil("\n");
    lease.replied();
    co_return std::string(chomp(reply));
}

// What a caller got: one line per query, in its order, and how many answers were not its own.
struct Answers {
    std::vector<std::string> lines;
    int wrong = 0;
};

aio::Coro<Answers> caller(Context& ctx, Pool& pool, Variant variant, int id) {
    Answers answers;
    for (int q = 1; q <= kQueries; ++q) {
        const std::string key = fmt::format("c{}q{}", id, q);
        for (int attempt = 1;; ++attempt) {
            try {
                const std::string value = co_await aio::wait_for(get(pool, variant, key), kQueryTimeout);
                const bool own = value == "value of " + key;
                answers.lines.push_back(
                    fmt::format("caller {}: get {} -> {}{}", id, key, value, own ? "" : " (not its own answer)"));
                answers.wrong += own ? 0 : 1;
                break;
            } catch (const aio::TimeoutError&) {
                ctx.print("caller {}: get {} timed out, asking again", id, key);
            } catch (const aio::OSError& e) {
                ctx.print("caller {}: get {}: {}, asking again", id, key, e.what());
            } catch (const aio::EOFError&) {
                ctx.print("caller {}: get {}: the server hung up, asking again", id, key);
            }
            if (attempt == kAttempts)
                throw aio::RuntimeError(
                    fmt::format("caller {}: no answer to get {} after {} attempts", id, key, kAttempts));
            co_await aio::sleep(kBackoff);
        }
    }
    co_return answers;
}

aio::Coro<void> main(Context& ctx, Variant variant) {
    aio::sim::Network& net = aio::sim::network();
    Listening db_at;
    net.add_host("db", [&db_at] { return db(db_at); });
    co_await db_at.ready.wait();
    Pool pool("db", db_at.port);
    std::vector<aio::Task<Answers>> callers;
    for (int id = 1; id <= kCallers; ++id)
        callers.push_back(aio::create_task(caller(ctx, pool, variant, id), fmt::format("caller-{}", id)));
    int wrong = 0;
    // Printed in caller order: the callers' replies interleave differently on the real loop.
    for (const Answers& a : co_await aio::gather(std::move(callers))) {
        for (const auto& line : a.lines) ctx.print("{}", line);
        wrong += a.wrong;
    }
    ctx.print("answers not the caller's own: {}", wrong);
}

void require_own_answers(const aio::scenario::Execution& outcome, aio::scenario::Verdict& verdict) {
    verdict.require(!outcome.escaped && outcome.exit_status == 0,
                    "the program must end normally, but it exited with status {} ({})", outcome.exit_status,
                    outcome.escaped_description());
    verdict.require(outcome.last_line() == "answers not the caller's own: 0",
                    "every caller must read its own answers: the last line must be 'answers not the caller's own: "
                    "0', but it is '{}'",
                    outcome.last_line());
}

}  // namespace

AIOSIM_SCENARIO(bug_net_pool,
                "known bug: a pool takes back a connection whose query timed out; the next caller reads its reply") {
    aio::run(main(ctx, Variant::take_back_always), ctx.run_options());
    return 0;
}
AIOSIM_ORACLE(bug_net_pool) { require_own_answers(outcome, verdict); }

AIOSIM_SCENARIO(net_pool_fixed, "bug_net_pool fixed: a connection whose query was cancelled is closed, not reused") {
    aio::run(main(ctx, Variant::close_unfinished), ctx.run_options());
    return 0;
}
AIOSIM_ORACLE(net_pool_fixed) { require_own_answers(outcome, verdict); }
