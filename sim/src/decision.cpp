#include "aio/sim/decision.hpp"

#include <fmt/format.h>

namespace aio::sim {

char choice_letter(Choice c) noexcept {
    switch (c) {
    case Choice::ready: return 'r';
    case Choice::timer: return 't';
    case Choice::jitter: return 'j';
    case Choice::start: return 's';
    case Choice::thread: return 'w';
    case Choice::latency: return 'l';
    case Choice::fault: return 'f';
    case Choice::point: return 'b';
    case Choice::overtake: return 'o';
    }
    return '?';
}

std::string_view choice_name(Choice c) noexcept {
    switch (c) {
    case Choice::ready: return "ready-queue";
    case Choice::timer: return "timer-tie";
    case Choice::jitter: return "jitter";
    case Choice::start: return "task-start";
    case Choice::thread: return "thread-completion";
    case Choice::latency: return "latency";
    case Choice::fault: return "fault";
    case Choice::point: return "fault-point";
    case Choice::overtake: return "overtake";
    }
    return "unknown";
}

std::optional<Choice> choice_from_letter(char c) noexcept {
    switch (c) {
    case 'r': return Choice::ready;
    case 't': return Choice::timer;
    case 'j': return Choice::jitter;
    case 's': return Choice::start;
    case 'w': return Choice::thread;
    case 'l': return Choice::latency;
    case 'f': return Choice::fault;
    case 'b': return Choice::point;
    case 'o': return Choice::overtake;
    default: return std::nullopt;
    }
}

std::string DecisionSource::explain_mismatch(const ChoicePoint& p, std::size_t got) const {
    return fmt::format("the source answered {} for a {} choice among {} candidates", got, choice_name(p.kind), p.n);
}

}  // namespace aio::sim
