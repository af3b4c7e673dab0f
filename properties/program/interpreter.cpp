#include "interpreter.hpp"

#include <fmt/format.h>

#include <memory>

#include "model.hpp"
#include "shim.hpp"

namespace aio::props {

namespace {

// "3" for ProgError 3, "g(3,g(5))" for an ExceptionGroup; empty for anything else.
std::string error_text(const std::exception_ptr& e) {
    try {
        std::rethrow_exception(e);
    } catch (const ProgError& p) {
        return std::to_string(p.id);
    } catch (const aio::ExceptionGroup& g) {
        std::string out = "g(";
        for (std::size_t i = 0; i < g.exceptions().size(); ++i) out += (i ? "," : "") + error_text(g.exceptions()[i]);
        return out + ")";
    } catch (...) {
        return {};
    }
}

// A copy lives in every coroutine frame of the interpreter (as a parameter), so the live
// count is the number of frames alive.
class FrameToken {
public:
    explicit FrameToken(Observed* o) : o_(o) { up(); }
    FrameToken(const FrameToken& t) : o_(t.o_) { up(); }
    FrameToken& operator=(const FrameToken&) = delete;
    ~FrameToken() { --o_->live_frames_after; }

private:
    void up() {
        if (++o_->live_frames_after > o_->max_live_frames) o_->max_live_frames = o_->live_frames_after;
    }
    Observed* o_;
};

class Interpreter {
public:
    Interpreter(const Program& p, Observed& o, InterpretOptions opt)
        : p_(p), o_(o), opt_(opt), handles_(p.nodes.size()) {
        o_.outcome.nodes.resize(p.nodes.size());
    }

    aio::Coro<int> main(FrameToken tok) { return node(0, tok); }

    // After run: the loop is closed; mark failed tasks' exceptions as seen so that dropping
    // the handles reports nothing (run's exception handler already counted them).
    void drop_handles() {
        for (auto& h : handles_)
            if (h && h.done() && !h.cancelled()) (void)h.exception();
        handles_.clear();
    }

private:
    std::int64_t now() {
        auto t = aio::get_running_loop().time().time_since_epoch();
        if (t < last_time_) ++o_.time_went_back;
        last_time_ = t;
        return t / unit;
    }
    void log(NodeId k, std::string what) { o_.events.push_back(fmt::format("t={} n{} {}", now(), k, what)); }

    // Phased: sleeps until node k's j-th phase instant after the current unit (so a node that
    // a timeout left between its instants gets back to them). Unphased: j units.
    aio::Coro<void> phase(NodeId k, int j, FrameToken) {
        const std::int64_t t0 = now();
        const auto before = aio::get_running_loop().time();
        const aio::Duration d =
            p_.phased ? (t0 + phase_delay(t0, k, p_.modulus(), j)) * unit - before.time_since_epoch() : j * unit;
        co_await shim::sleep(d);
        const auto after = aio::get_running_loop().time();
        now();
        if (after < before + d || after > before + d + opt_.late) ++o_.sleep_violations;
    }

    // The deadline of a timeout statement `depth` timeouts deep in its node: (4 + depth)/8
    // of a unit after node k's n-th phase instant (phased), or n units from now (unphased).
    aio::TimePoint deadline(NodeId k, int n, int depth) {
        const std::int64_t t0 = now();
        const auto t = aio::get_running_loop().time();
        if (!p_.phased) return t + n * unit;
        return aio::TimePoint((t0 + phase_delay(t0, k, p_.modulus(), n)) * unit + (4 + depth) * unit / 8);
    }

    // A TimeoutError arrived: it must be exactly at the deadline (or up to `late` after it).
    void timed_out(NodeId k, aio::TimePoint when, int& acc) {
        const auto t = aio::get_running_loop().time();
        if (t < when || t > when + opt_.late) ++o_.timeout_violations;
        ++o_.timeouts_fired;
        acc += 1000;
        log(k, "timed out");
    }

    aio::Coro<int> node(NodeId k, FrameToken tok) {
        Fate& f = o_.outcome.nodes[k];
        f.started = true;
        if (k == 0) {
            // Errors nobody can receive ("Task exception was never retrieved") are expected in
            // random programs: count them instead of printing them.
            aio::get_running_loop().set_exception_handler(
                [this](aio::EventLoop&, const aio::ExceptionContext&) { ++o_.unreported_errors; });
        }
        log(k, "start");
        try {
            co_await phase(k, 1, tok);
            int acc = p_.nodes[k].value;
            co_await block(p_.nodes[k].body, k, acc, tok);
            co_await phase(k, 1, tok);
            f.kind = Fate::Kind::returned;
            f.value = acc;
            f.end = now();
            log(k, fmt::format("returned {}", acc));
            co_return acc;
        } catch (const ProgError& e) {
            f.kind = Fate::Kind::raised;
            f.error = std::to_string(e.id);
            f.end = now();
            log(k, fmt::format("raised {}", e.id));
            throw;
        } catch (const aio::ExceptionGroup&) {
            f.kind = Fate::Kind::raised;
            f.error = error_text(std::current_exception());
            f.end = now();
            log(k, fmt::format("raised {}", f.error));
            throw;
        } catch (const aio::CancelledError&) {
            f.kind = Fate::Kind::cancelled;
            ++f.cleanups;
            f.end = now();
            log(k, "cancelled");
            throw;
        }
    }

    // create_task of node c. A task cancelled before its first step never runs its body: its
    // fate is recorded by a done-callback.
    aio::Task<int> start(NodeId c, FrameToken tok, aio::TaskGroup* tg = nullptr) {
        o_.outcome.nodes[c].kind = Fate::Kind::pending;
        aio::Task<int> t = tg ? tg->create_task(node(c, tok), fmt::format("n{}", c))
                              : aio::create_task(node(c, tok), fmt::format("n{}", c));
        t.add_done_callback([this, c](aio::AnyTask t) {
            Fate& cf = o_.outcome.nodes[c];
            if (cf.started || !t.cancelled()) return;
            cf.kind = Fate::Kind::cancelled;
            cf.end = now();
        });
        return t;
    }

    // An await (of a task or a gather) ended: a ProgError is rethrown after a phase sleep.
    aio::Coro<void> after_wait(NodeId k, std::exception_ptr ep, FrameToken tok) {
        co_await phase(k, 1, tok);
        if (ep) std::rethrow_exception(ep);
    }

    aio::Coro<void> block(const Block& b, NodeId k, int& acc, FrameToken tok, int depth = 0) {
        using K = Stmt::Kind;
        for (const Stmt& s : b) {
            switch (s.kind) {
            case K::sleep: co_await phase(k, s.n, tok); break;
            case K::yield: co_await aio::sleep(std::chrono::seconds(0)); break;
            case K::raise: throw ProgError{s.n};
            case K::spawn: handles_[s.node] = start(s.node, tok); break;
            case K::await_task: {
                if (!handles_[s.node]) break;
                std::exception_ptr ep;
                try {
                    acc += co_await handles_[s.node];
                } catch (const ProgError&) {
                    ep = std::current_exception();
                } catch (const aio::ExceptionGroup&) {
                    ep = std::current_exception();
                }
                co_await after_wait(k, ep, tok);
                break;
            }
            case K::gather: {
                // As asyncio's gather does with coroutines: wrap each in a task, in order.
                std::vector<aio::Task<int>> children;
                for (NodeId c : s.nodes) children.push_back(start(c, tok));
                std::exception_ptr ep;
                try {
                    std::vector<int> v = co_await shim::gather(std::move(children));
                    for (std::size_t i = 0; i < v.size(); ++i) {
                        const Fate& cf = o_.outcome.nodes[s.nodes[i]];
                        if (cf.kind != Fate::Kind::returned || cf.value != v[i]) ++o_.gather_order_violations;
                        acc += v[i];
                    }
                    if (v.size() != s.nodes.size()) ++o_.gather_order_violations;
                } catch (const ProgError&) {
                    ep = std::current_exception();
                } catch (const aio::ExceptionGroup&) {
                    ep = std::current_exception();
                }
                co_await after_wait(k, ep, tok);
                break;
            }
            case K::cancel:
                if (!handles_[s.node]) break;
                handles_[s.node].cancel();
                co_await phase(k, 1, tok);
                break;
            case K::try_catch: {
                std::exception_ptr ep;
                try {
                    co_await block(s.body, k, acc, tok, depth);
                } catch (const ProgError&) {
                    ep = std::current_exception();
                }
                if (ep) co_await block(s.handler, k, acc, tok, depth);
                break;
            }
            case K::task_group: {
                std::vector<aio::Task<int>> kids;
                // TaskGroup never returns (or raises) with a child still running.
                auto check_done = [&] {
                    for (auto& t : kids)
                        if (!t.done()) ++o_.task_group_violations;
                };
                std::exception_ptr ep;
                try {
                    co_await aio::task_group([&](aio::TaskGroup& tg) -> aio::Coro<void> {
                        for (NodeId c : s.nodes) kids.push_back(start(c, tok, &tg));
                        co_return;
                    });
                    for (auto& t : kids)
                        if (!t.cancelled()) acc += t.result();  // a cancelled child is no error
                } catch (const aio::ExceptionGroup&) {
                    ep = std::current_exception();
                } catch (const ProgError&) {
                    ep = std::current_exception();
                } catch (const aio::CancelledError&) {
                    check_done();
                    throw;
                }
                check_done();
                co_await after_wait(k, ep, tok);
                break;
            }
            case K::timeout: {
                const aio::TimePoint when = deadline(k, s.n, depth);
                try {
                    co_await aio::timeout_at(when).run(block(s.body, k, acc, tok, depth + 1));
                } catch (const aio::TimeoutError&) {
                    timed_out(k, when, acc);
                }
                co_await phase(k, 1, tok);
                break;
            }
            case K::wait_for: {
                const aio::TimePoint when = deadline(k, s.n, depth);
                o_.outcome.nodes[s.node].kind = Fate::Kind::pending;
                std::exception_ptr ep;
                try {
                    acc += co_await aio::wait_for(node(s.node, tok), when - aio::get_running_loop().time());
                } catch (const aio::TimeoutError&) {
                    timed_out(k, when, acc);
                } catch (const ProgError&) {
                    ep = std::current_exception();
                } catch (const aio::ExceptionGroup&) {
                    ep = std::current_exception();
                }
                co_await after_wait(k, ep, tok);
                break;
            }
            case K::nested_run:
                ++o_.nested_runs;
                try {
                    aio::run(trivial());
                    ++o_.nested_run_failures;
                } catch (const aio::RuntimeError& e) {
                    if (std::string(e.what()) != "aio::run() cannot be called from a running event loop")
                        ++o_.nested_run_failures;
                }
                break;
            }
        }
    }

    static aio::Coro<int> trivial() { co_return 0; }

    const Program& p_;
    Observed& o_;
    InterpretOptions opt_;
    std::vector<aio::Task<int>> handles_;
    aio::Duration last_time_{0};
};

}  // namespace

Observed interpret(const Program& p, aio::RunOptions run_options, InterpretOptions opt) {
    Observed o;
    {
        Interpreter in(p, o, opt);
        Fate& run = o.outcome.run;
        try {
            run.value = shim::run(in.main(FrameToken(&o)), std::move(run_options));
            run.kind = Fate::Kind::returned;
        } catch (const ProgError& e) {
            run.kind = Fate::Kind::raised;
            run.error = std::to_string(e.id);
        } catch (const aio::ExceptionGroup&) {
            run.kind = Fate::Kind::raised;
            run.error = error_text(std::current_exception());
        } catch (const aio::CancelledError&) {
            run.kind = Fate::Kind::cancelled;
        } catch (...) {
            o.run_error = aio::describe(std::current_exception());
        }
        in.drop_handles();
        // The run line carries main's time and bookkeeping, as the model's does.
        const Fate& m = o.outcome.nodes[0];
        run.end = m.end;
        run.started = m.started;
        run.cleanups = m.cleanups;
    }
    return o;
}

}  // namespace aio::props
