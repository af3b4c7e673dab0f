#include "aio/check/guided.hpp"

#include <algorithm>
#include <set>
#include <utility>
#include <vector>

#include <aio/sim/prng.hpp>

#include "aio/check/schedule.hpp"

namespace aio::check {

namespace {

using aio::sim::Decision;

struct Entry {
    std::vector<Decision> decisions;
    std::uint64_t points = 0;  // choice points its run offered: where decisions may go
};

// Adds the run's pairs to `seen`; true when one was new.
bool add_pairs(const aio::sim::RunRecord& rec, std::set<std::pair<std::string, std::string>>& seen) {
    if (!rec.coverage) return false;
    bool fresh = false;
    const auto& points = rec.coverage->points;
    for (const auto& [a, b] : rec.coverage->pairs) {
        if (a >= points.size() || b >= points.size()) continue;
        fresh = seen.emplace(points[a], points[b]).second || fresh;
    }
    return fresh;
}

std::uint32_t draw_index(aio::sim::Prng& rng) { return 1 + static_cast<std::uint32_t>(rng.below(3)); }

// Puts d in the list, ordered by position (replacing a decision at the same position).
void place(std::vector<Decision>& ds, Decision d) {
    auto at = std::lower_bound(ds.begin(), ds.end(), d.position,
                               [](const Decision& x, std::uint64_t pos) { return x.position < pos; });
    if (at != ds.end() && at->position == d.position)
        *at = d;
    else
        ds.insert(at, d);
}

// One fuzzer mutation of ds over `points` choice points.
void mutate(std::vector<Decision>& ds, std::uint64_t points, aio::sim::Prng& rng) {
    const std::uint64_t span = std::max<std::uint64_t>(1, points);
    const std::uint64_t kind = ds.empty() ? 0 : rng.below(4);
    switch (kind) {
    case 0:  // add a decision
        place(ds, Decision{.position = rng.below(span), .kind = aio::sim::Choice::ready, .index = draw_index(rng)});
        break;
    case 1:  // remove one
        ds.erase(ds.begin() + static_cast<std::ptrdiff_t>(rng.below(ds.size())));
        break;
    case 2: {  // change one's index
        Decision& d = ds[static_cast<std::size_t>(rng.below(ds.size()))];
        const std::uint32_t was = d.index;
        d.index = draw_index(rng);
        if (d.index == was) d.index = was == 1 ? 2 : 1;
        break;
    }
    default: {  // move one to another position
        const auto i = static_cast<std::ptrdiff_t>(rng.below(ds.size()));
        Decision d = ds[static_cast<std::size_t>(i)];
        ds.erase(ds.begin() + i);
        d.position = rng.below(span);
        place(ds, d);
        break;
    }
    }
}

}  // namespace

GuidedResult explore_guided(const GuidedRunOne& run_one, const GuidedOptions& options) {
    GuidedResult result;
    aio::sim::Prng rng(options.seed);
    std::vector<Entry> corpus;
    std::set<std::pair<std::string, std::string>> seen;

    for (std::uint64_t i = 0; i < options.runs; ++i) {
        aio::sim::Schedule s = options.base.schedule;
        std::uint64_t points = 0;
        std::vector<Decision> ds;
        if (!corpus.empty()) {
            const Entry& e = corpus[static_cast<std::size_t>(rng.below(corpus.size()))];
            ds = e.decisions;
            points = e.points;
            const std::uint64_t mutations = 1 + rng.below(2);
            for (std::uint64_t m = 0; m < mutations; ++m) mutate(ds, points, rng);
        }
        s.decisions = ds;
        aio::sim::Config cfg = lenient_config(s);
        cfg.trace = options.base.trace;
        cfg.fingerprint = options.base.fingerprint;
        cfg.thread_step_budget = options.base.thread_step_budget;
        cfg.thread_timeout = options.base.thread_timeout;
        cfg.coverage = true;
        GuidedRun run = run_one(cfg);
        ++result.runs;
        if (run.failure && !result.first_failure) {
            result.first_failure = result.runs;
            result.failure = run.failure;
            result.failing_replay = run.record ? run.record->replay : s.to_string();
            if (options.stop_at_first) break;
        }
        if (!run.record) continue;
        const bool fresh = add_pairs(*run.record, seen);
        // The first run always seeds the corpus; later ones only with a new pair. The
        // schedule kept is the one the run made (lenient replay may have bent decisions).
        if (corpus.empty() || fresh) {
            Entry e;
            if (run.record->schedule.decisions) e.decisions = *run.record->schedule.decisions;
            e.points = run.record->decisions;
            corpus.push_back(std::move(e));
        }
    }
    result.corpus_size = corpus.size();
    result.pairs_seen = seen.size();
    return result;
}

}  // namespace aio::check
