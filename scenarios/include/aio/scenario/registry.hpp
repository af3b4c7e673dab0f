#pragma once
// aio::scenario::Registry: the scenarios a program knows, by name.
//
// AIOSIM_SCENARIO and AIOSIM_ORACLE (aio/scenario.hpp) add to Registry::global() during static
// initialisation; the aiosim tool lists and runs what is there. Registering is not
// thread-safe: do it before any scenario runs (static initialisation is). Reading is.
//
// Mistakes do not throw (an exception during static initialisation would end the program
// with no useful message): a name registered twice, or an oracle whose scenario is missing
// or is another function, is kept in problems(), and the tool refuses to start while there
// is any. (With the macros, a duplicate name is already a link error.)
#include <map>
#include <source_location>
#include <string>
#include <string_view>
#include <vector>

namespace aio::scenario {

class Context;
struct Execution;
class Verdict;

/// A scenario's body: the program. Returns the exit status.
using Body = int (*)(Context& ctx);
/// A scenario's oracle: what must hold in every run (every schedule, under the simulator).
using Oracle = void (*)(const Execution& outcome, Verdict& verdict);

struct Scenario {
    std::string name;
    std::string description;  ///< one line, shown by `aiosim list`
    Body body = nullptr;
    /// Null: the default oracle (exit status 0 and no exception escaped).
    Oracle oracle = nullptr;
    std::source_location defined_at;
};

class Registry {
public:
    /// The registry the macros add to: one per program.
    static Registry& global();

    void add(std::string name, std::string description, Body body,
             std::source_location where = std::source_location::current());
    /// Attaches `oracle` to the scenario `name`, which must have the body `body`. May come
    /// before the scenario's own registration (static initialisation order across files).
    void add_oracle(std::string name, Body body, Oracle oracle,
                    std::source_location where = std::source_location::current());

    /// The scenario called `name`, or null.
    const Scenario* find(std::string_view name) const;
    /// Every scenario, ordered by name.
    std::vector<const Scenario*> all() const;
    bool empty() const noexcept { return scenarios_.empty(); }
    /// Registration mistakes, one message each (empty when all is well).
    std::vector<std::string> problems() const;
    /// The error for an unknown scenario name: names the closest match, lists the valid names,
    /// or says how to register one when there is none.
    std::string unknown_name_message(std::string_view name) const;

private:
    struct PendingOracle {
        Body body;
        Oracle oracle;
        std::source_location where;
    };
    void attach(Scenario& s, const PendingOracle& o);

    std::map<std::string, Scenario, std::less<>> scenarios_;
    std::map<std::string, PendingOracle, std::less<>> pending_oracles_;
    std::vector<std::string> problems_;
};

namespace detail {
// The static objects the macros define; their constructors register.
struct ScenarioRegistrar {
    ScenarioRegistrar(const char* name, const char* description, Body body, std::source_location where);
};
struct OracleRegistrar {
    OracleRegistrar(const char* name, Body body, Oracle oracle, std::source_location where);
};
}  // namespace detail

}  // namespace aio::scenario
