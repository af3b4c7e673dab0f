// The bounded exhaustive enumerator: every schedule with <= k deviations, breadth first.
#include "aio/check/bounded.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <utility>

#include <aio/errors.hpp>
#include <aio/sim/policy.hpp>

namespace aio::check {

namespace {

using aio::sim::Decision;
using aio::sim::OfferedPoint;

std::uint64_t saturating_add(std::uint64_t a, std::uint64_t b) noexcept {
    return b > UINT64_MAX - a ? UINT64_MAX : a + b;
}

// A run of layer d whose children make layer d+1: its deviations and the points it offered
// after its last deviation.
struct Parent {
    std::vector<Decision> decisions;
    std::vector<OfferedPoint> tail;
};

// Where the next child of a layer is: parent, point of its tail, index at that point.
struct Cursor {
    std::size_t parent = 0, point = 0;
    std::uint32_t index = 1;
};

std::uint64_t children_of(const Parent& p) {
    std::uint64_t n = 0;
    for (const OfferedPoint& pt : p.tail) n = saturating_add(n, pt.n > 1 ? pt.n - 1 : 0);
    return n;
}

std::string plural(std::uint64_t n, const char* one, const char* many) {
    return with_commas(n) + " " + (n == 1 ? one : many);
}

class Enumerator {
public:
    Enumerator(const BoundedRunFn& run, BoundedOptions o) : run_(run), o_(std::move(o)) {
        if (o_.bound < 0 || o_.bound > max_exhaustive_bound)
            throw aio::ValueError(fmt::format("aio::check::explore_bounded: the bound must be from 0 to {}, got {}",
                                              max_exhaustive_bound, o_.bound));
        o_.jobs = std::max(o_.jobs, 1u);
        r_.bound = o_.bound;
        r_.runs_by_deviations.assign(static_cast<std::size_t>(o_.bound) + 1, 0);
    }

    BoundedResult run() {
        // Layer 0 is the single all-zero run.
        r_.space_by_deviations.push_back(1);
        const std::vector<std::vector<Decision>> first{{}};
        std::vector<Parent> layer, next;
        bool stopped = !run_batch(first, 0, next);
        for (int d = 1; d <= o_.bound && !stopped; ++d) {
            layer = std::move(next);
            next.clear();
            std::uint64_t space = 0;
            for (const Parent& p : layer) space = saturating_add(space, children_of(p));
            r_.space_by_deviations.push_back(space);
            if (space == 0) break;  // nothing deviates further: the space is exhausted
            Cursor c;
            while (!stopped) {
                std::vector<std::vector<Decision>> batch = take(layer, c, batch_size());
                if (batch.empty()) break;
                stopped = !run_batch(batch, d, next);
            }
        }
        finish();
        return std::move(r_);
    }

private:
    std::size_t batch_size() const {
        std::uint64_t b = 256ull * o_.jobs;
        if (o_.max_runs != 0) b = std::min(b, o_.max_runs - std::min(o_.max_runs, r_.runs));
        return static_cast<std::size_t>(b);
    }

    // Up to `count` children of the layer from c on, advancing c.
    static std::vector<std::vector<Decision>> take(const std::vector<Parent>& layer, Cursor& c, std::size_t count) {
        std::vector<std::vector<Decision>> out;
        while (out.size() < count && c.parent < layer.size()) {
            const Parent& p = layer[c.parent];
            if (c.point >= p.tail.size()) {
                ++c.parent;
                c.point = 0;
                c.index = 1;
                continue;
            }
            const OfferedPoint& pt = p.tail[c.point];
            if (c.index >= pt.n) {
                ++c.point;
                c.index = 1;
                continue;
            }
            std::vector<Decision> d = p.decisions;
            d.push_back({pt.position, pt.kind, c.index});
            out.push_back(std::move(d));
            ++c.index;
        }
        return out;
    }

    aio::sim::Config config_for(const std::vector<Decision>& d, int deviations) const {
        aio::sim::Config cfg = o_.base;
        cfg.schedule.policy = aio::sim::Policy::delay;
        cfg.schedule.decisions = d;
        cfg.strict_replay = true;
        cfg.record_points = deviations < o_.bound;
        return cfg;
    }

    // Runs the batch (schedules with `deviations` deviations) and takes the results in order.
    // False: stop (a failure with stop_at_first, or the budget).
    bool run_batch(const std::vector<std::vector<Decision>>& batch, int deviations, std::vector<Parent>& next) {
        std::vector<BoundedRun> results(batch.size());
        auto one = [&](std::size_t i) { results[i] = run_(config_for(batch[i], deviations)); };
        if (o_.jobs == 1 || batch.size() == 1) {
            for (std::size_t i = 0; i < batch.size(); ++i) one(i);
        } else {
            std::atomic<std::size_t> at{0};
            std::exception_ptr error;
            std::mutex m;
            auto worker = [&] {
                for (;;) {
                    const std::size_t i = at.fetch_add(1);
                    if (i >= batch.size()) return;
                    try {
                        one(i);
                    } catch (...) {
                        std::lock_guard lock(m);
                        if (!error) error = std::current_exception();
                        at.store(batch.size());
                        return;
                    }
                }
            };
            std::vector<std::thread> threads;
            const unsigned n = static_cast<unsigned>(std::min<std::size_t>(o_.jobs, batch.size()));
            for (unsigned j = 0; j < n; ++j) threads.emplace_back(worker);
            for (auto& t : threads) t.join();
            if (error) std::rethrow_exception(error);
        }
        for (std::size_t i = 0; i < batch.size(); ++i) {
            BoundedRun& res = results[i];
            ++r_.runs;
            ++r_.runs_by_deviations[static_cast<std::size_t>(deviations)];
            if (deviations < o_.bound && res.record) {
                const std::int64_t q = batch[i].empty() ? -1 : static_cast<std::int64_t>(batch[i].back().position);
                Parent p;
                p.decisions = batch[i];
                for (const OfferedPoint& pt : res.record->points)
                    if (static_cast<std::int64_t>(pt.position) > q && pt.n > 1) p.tail.push_back(pt);
                if (!p.tail.empty()) next.push_back(std::move(p));
            }
            if (res.failure) {
                ++r_.failed;
                failed_by_deviations_.resize(static_cast<std::size_t>(o_.bound) + 1, 0);
                ++failed_by_deviations_[static_cast<std::size_t>(deviations)];
                BoundedFailure f;
                f.decisions = batch[i];
                f.replay = config_for(batch[i], deviations).schedule.to_string();
                f.cause = std::move(*res.failure);
                f.run = r_.runs - 1;
                if (res.record) f.record = std::move(*res.record);
                const bool stops = o_.stop_at_first && (!o_.stops_at || o_.stops_at(f));
                if (stops || r_.failures.size() < std::max<std::size_t>(o_.max_failures, 1))
                    r_.failures.push_back(std::move(f));
                if (stops) {
                    stopped_by_failure_ = true;
                    return false;
                }
            }
        }
        if (o_.max_runs != 0 && r_.runs >= o_.max_runs) {
            // The budget is spent; it cut the walk only if schedules remain.
            r_.budget_cut = true;
            return false;
        }
        return true;
    }

    void finish() {
        if (stopped_by_failure_) {
            r_.budget_cut = false;
            r_.complete = false;
        } else if (r_.budget_cut) {
            // The budget may have ended exactly at the end of the space.
            r_.complete = space_exhausted();
            r_.budget_cut = !r_.complete;
        } else {
            r_.complete = true;
        }
        std::string layers;
        for (std::size_t d = 0; d < r_.runs_by_deviations.size(); ++d) {
            const std::uint64_t ran = r_.runs_by_deviations[d];
            const bool known = d < r_.space_by_deviations.size();
            if (!known && ran == 0) break;
            layers += fmt::format("  {} deviation{}: {}{}\n", d, d == 1 ? "" : "s", with_commas(ran),
                                  known ? fmt::format(" of {} schedule{}", with_commas(r_.space_by_deviations[d]),
                                                      r_.space_by_deviations[d] == 1 ? "" : "s")
                                        : std::string(" schedules"));
        }
        r_.layers = std::move(layers);
        const std::string k = fmt::format("<= {} deviation{}", o_.bound, o_.bound == 1 ? "" : "s");
        if (r_.complete) {
            r_.summary = r_.failed == 0
                             ? fmt::format("all {} with {}: no failure (covered completely)",
                                           plural(r_.runs, "schedule", "schedules"), k)
                             : fmt::format("all {} with {} ran (covered completely): {} failed, the first with {}",
                                           plural(r_.runs, "schedule", "schedules"), k, with_commas(r_.failed),
                                           plural(r_.failures.front().decisions.size(), "deviation", "deviations"));
            return;
        }
        // The largest d whose layer ran completely.
        std::size_t full = 0;
        bool any_full = false;
        for (std::size_t d = 0; d < r_.space_by_deviations.size(); ++d) {
            if (r_.runs_by_deviations[d] != r_.space_by_deviations[d]) break;
            full = d;
            any_full = true;
        }
        std::uint64_t below = 0, below_failed = 0;
        for (std::size_t d = 0; d <= full && any_full; ++d) {
            below += r_.runs_by_deviations[d];
            if (d < failed_by_deviations_.size()) below_failed += failed_by_deviations_[d];
        }
        std::string covered = "no deviation count covered";
        if (any_full && full == 0)
            covered = below_failed == 0 ? "asyncio's own order (0 deviations) passed" : "asyncio's own order failed";
        else if (any_full)
            covered = fmt::format(
                "all {} with <= {} deviation{} ran, {}", plural(below, "schedule", "schedules"), full,
                full == 1 ? "" : "s",
                below_failed == 0 ? std::string("none failed") : fmt::format("{} failed", with_commas(below_failed)));
        // The whole space's size, once every layer was counted.
        std::string of;
        if (r_.space_by_deviations.size() == static_cast<std::size_t>(o_.bound) + 1) {
            std::uint64_t total = 0;
            for (std::uint64_t n : r_.space_by_deviations) total = saturating_add(total, n);
            of = " of " + with_commas(total);
        }
        if (stopped_by_failure_)  // the failure that stopped it is the last kept (stops_at)
            r_.summary = fmt::format(
                "failed after {}{} schedule{} with {} (stopped at the first failure{}, with {}; {})",
                with_commas(r_.runs), of, r_.runs == 1 && of.empty() ? "" : "s", k, o_.stops_at ? " that stops it" : "",
                plural(r_.failures.back().decisions.size(), "deviation", "deviations"), covered);
        else if (r_.failed > 0)
            r_.summary = fmt::format(
                "not covered completely: the run budget ({}) ended it after {}{} schedule{} with {}: {} failed, the "
                "first with {}; {}",
                with_commas(o_.max_runs), with_commas(r_.runs), of, r_.runs == 1 && of.empty() ? "" : "s", k,
                with_commas(r_.failed), plural(r_.failures.front().decisions.size(), "deviation", "deviations"),
                covered);
        else
            r_.summary = fmt::format(
                "not covered completely: the run budget ({}) ended it after {}{} schedule{} with {}; {}",
                with_commas(o_.max_runs), with_commas(r_.runs), of, r_.runs == 1 && of.empty() ? "" : "s", k, covered);
    }

    // Whether every schedule of the space ran (the budget hit exactly at its end).
    bool space_exhausted() const {
        if (r_.space_by_deviations.size() < static_cast<std::size_t>(o_.bound) + 1) {
            // A layer was never counted: only when the previous one was empty (the loop broke).
            if (r_.space_by_deviations.empty() || r_.space_by_deviations.back() != 0) return false;
        }
        for (std::size_t d = 0; d < r_.space_by_deviations.size(); ++d)
            if (r_.runs_by_deviations[d] != r_.space_by_deviations[d]) return false;
        // The next layer's size is unknown until counted: exhausted only at the bound or when
        // the last counted layer is empty.
        return r_.space_by_deviations.size() == static_cast<std::size_t>(o_.bound) + 1 ||
               r_.space_by_deviations.back() == 0;
    }

    const BoundedRunFn& run_;
    BoundedOptions o_;
    BoundedResult r_;
    bool stopped_by_failure_ = false;
    std::vector<std::uint64_t> failed_by_deviations_;
};

}  // namespace

std::string with_commas(std::uint64_t n) {
    std::string digits = fmt::format("{}", n);
    std::string out;
    const std::size_t lead = digits.size() % 3;
    for (std::size_t i = 0; i < digits.size(); ++i) {
        if (i != 0 && (i + 3 - lead) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

BoundedResult explore_bounded(const BoundedRunFn& run, BoundedOptions options) {
    return Enumerator(run, std::move(options)).run();
}

BoundedResult explore_bounded(const RunOne& run_one, BoundedOptions options) {
    const BoundedRunFn run = [&run_one](const aio::sim::Config& cfg) {
        aio::sim::Recorder rec;
        BoundedRun r;
        r.failure = run_one(cfg, rec);
        if (rec.has_record()) r.record = std::move(*rec);
        return r;
    };
    return explore_bounded(run, std::move(options));
}

std::uint64_t measure_delay_points(const RunOne& run_one, const aio::sim::Config& base) {
    aio::sim::Config cfg = base;
    cfg.schedule.policy = aio::sim::Policy::delay;
    cfg.schedule.decisions = std::vector<Decision>{};
    cfg.strict_replay = true;
    aio::sim::Recorder rec;
    (void)run_one(cfg, rec);
    return rec.has_record() ? rec->decisions : 0;
}

}  // namespace aio::check
