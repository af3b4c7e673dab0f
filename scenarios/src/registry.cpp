#include "aio/scenario/registry.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

namespace aio::scenario {

namespace {

std::string where(const std::source_location& l) { return fmt::format("{}:{}", l.file_name(), l.line()); }

// Levenshtein distance, for "did you mean" (names are short; quadratic is fine).
std::size_t distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diag = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diag = up;
        }
    }
    return row[b.size()];
}

}  // namespace

Registry& Registry::global() {
    static Registry r;  // built on first use, so registrars in any file may run first
    return r;
}

void Registry::add(std::string name, std::string description, Body body, std::source_location loc) {
    if (auto it = scenarios_.find(name); it != scenarios_.end()) {
        problems_.push_back(fmt::format("scenario '{}' is registered twice: at {} and at {}; rename one of them", name,
                                        where(it->second.defined_at), where(loc)));
        return;
    }
    Scenario s{name, std::move(description), body, nullptr, loc};
    if (auto p = pending_oracles_.find(name); p != pending_oracles_.end()) {
        attach(s, p->second);
        pending_oracles_.erase(p);
    }
    scenarios_.emplace(std::move(name), std::move(s));
}

void Registry::add_oracle(std::string name, Body body, Oracle oracle, std::source_location loc) {
    PendingOracle o{body, oracle, loc};
    if (auto it = scenarios_.find(name); it != scenarios_.end()) {
        attach(it->second, o);
        return;
    }
    if (auto p = pending_oracles_.find(name); p != pending_oracles_.end()) {
        problems_.push_back(fmt::format("scenario '{}' has two oracles: at {} and at {}; keep one", name,
                                        where(p->second.where), where(loc)));
        return;
    }
    pending_oracles_.emplace(std::move(name), o);
}

void Registry::attach(Scenario& s, const PendingOracle& o) {
    if (s.body != o.body) {
        problems_.push_back(fmt::format("the oracle at {} is for another function than scenario '{}' (defined at {})",
                                        where(o.where), s.name, where(s.defined_at)));
    } else if (s.oracle) {
        problems_.push_back(
            fmt::format("scenario '{}' has two oracles (the second at {}); keep one", s.name, where(o.where)));
    } else {
        s.oracle = o.oracle;
    }
}

const Scenario* Registry::find(std::string_view name) const {
    auto it = scenarios_.find(name);
    return it == scenarios_.end() ? nullptr : &it->second;
}

std::vector<const Scenario*> Registry::all() const {
    std::vector<const Scenario*> out;
    out.reserve(scenarios_.size());
    for (const auto& [name, s] : scenarios_) out.push_back(&s);
    return out;
}

std::vector<std::string> Registry::problems() const {
    std::vector<std::string> out = problems_;
    for (const auto& [name, o] : pending_oracles_)
        out.push_back(
            fmt::format("the oracle at {} is for scenario '{}', which is not registered", where(o.where), name));
    return out;
}

std::string Registry::unknown_name_message(std::string_view name) const {
    if (scenarios_.empty())
        return fmt::format(
            "unknown scenario '{}': this program registers no scenarios at all; define one with "
            "AIOSIM_SCENARIO(name, \"description\") {{ ... }} and link its file into the program",
            name);
    std::string names;
    const Scenario* closest = nullptr;
    std::size_t best = 0;
    for (const auto& [n, s] : scenarios_) {
        if (!names.empty()) names += ", ";
        names += n;
        std::size_t d = distance(name, n);
        if (!closest || d < best) closest = &s, best = d;
    }
    std::string hint;
    if (closest && best <= std::max<std::size_t>(2, closest->name.size() / 3))
        hint = fmt::format(" (did you mean '{}'?)", closest->name);
    return fmt::format("unknown scenario '{}'{}; valid scenarios: {}", name, hint, names);
}

namespace detail {

ScenarioRegistrar::ScenarioRegistrar(const char* name, const char* description, Body body, std::source_location loc) {
    Registry::global().add(name, description, body, loc);
}

OracleRegistrar::OracleRegistrar(const char* name, Body body, Oracle oracle, std::source_location loc) {
    Registry::global().add_oracle(name, body, oracle, loc);
}

}  // namespace detail

}  // namespace aio::scenario
