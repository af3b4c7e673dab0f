// The names and letters of the fault kinds (net_config.hpp).
#include "aio/sim/net_config.hpp"

namespace aio::sim {

namespace {
constexpr FaultKind all_kinds[fault_kind_count] = {FaultKind::refuse,    FaultKind::reset, FaultKind::stall,
                                                   FaultKind::partition, FaultKind::crash, FaultKind::slow,
                                                   FaultKind::point};
}  // namespace

char fault_letter(FaultKind k) noexcept {
    switch (k) {
    case FaultKind::refuse: return 'x';
    case FaultKind::reset: return 'r';
    case FaultKind::stall: return 'h';
    case FaultKind::partition: return 'p';
    case FaultKind::crash: return 'c';
    case FaultKind::slow: return 'w';
    case FaultKind::point: return 'b';
    }
    return '?';
}

std::string_view fault_name(FaultKind k) noexcept {
    switch (k) {
    case FaultKind::refuse: return "refuse";
    case FaultKind::reset: return "reset";
    case FaultKind::stall: return "stall";
    case FaultKind::partition: return "partition";
    case FaultKind::crash: return "crash";
    case FaultKind::slow: return "slow";
    case FaultKind::point: return "point";
    }
    return "unknown";
}

std::optional<FaultKind> fault_kind_from_letter(char c) noexcept {
    for (FaultKind k : all_kinds)
        if (fault_letter(k) == c) return k;
    return std::nullopt;
}

std::string FaultKinds::letters() const {
    std::string s;
    for (FaultKind k : all_kinds)
        if (has(k)) s += fault_letter(k);
    return s;
}

}  // namespace aio::sim
