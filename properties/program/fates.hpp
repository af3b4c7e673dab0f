#pragma once
// What a program run comes to, in a form the interpreter observes, the model predicts and the
// Python twin prints: one canonical text, compared line for line.
#include <cstdint>
#include <string>
#include <vector>

#include "program.hpp"

namespace aio::props {

struct Fate {
    enum class Kind { not_spawned, pending, returned, raised, cancelled };
    Kind kind = Kind::not_spawned;
    int value = 0;          // returned
    std::string error;      // raised: "3" (ProgError 3), "g(3,g(5))" (ExceptionGroup)
    std::int64_t end = -1;  // virtual time (units) of the node's last action
    bool started = false;   // its body began (a task cancelled before its first step never starts)
    int cleanups = 0;       // times its CancelledError handler ran
    friend bool operator==(const Fate&, const Fate&) = default;
};

struct Fates {
    Fate run;                 // main's fate is what aio::run returned or threw
    std::vector<Fate> nodes;  // by NodeId
    friend bool operator==(const Fates&, const Fates&) = default;
};

/// "returned 7 end=12 cleanups=0", "cancelled end=4 cleanups=1", "not_spawned".
std::string to_string(const Fate& f, bool with_time = true);
/// One line per node plus the run line; with_time=false drops virtual times (for policies
/// that jitter timers).
std::string to_string(const Fates& o, bool with_time = true);

}  // namespace aio::props
