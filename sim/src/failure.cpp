// Failures as values: classification by type, comparison, signature.
#include "aio/sim/failure.hpp"

#include "aio/errors.hpp"
#include "aio/sim/errors.hpp"

namespace aio::sim {

std::string_view kind_name(FailureKind k) noexcept {
    switch (k) {
    case FailureKind::exception: return "exception";
    case FailureKind::deadlock: return "deadlock";
    case FailureKind::step_limit: return "step limit";
    case FailureKind::virtual_time_limit: return "virtual time limit";
    case FailureKind::replay_divergence: return "replay divergence";
    case FailureKind::requirement: return "requirement";
    case FailureKind::predicate: return "predicate";
    }
    return "unknown";
}

RunFailure RunFailure::from_exception(std::exception_ptr e) {
    RunFailure f;
    f.exception = e;
    try {
        std::rethrow_exception(e);
    } catch (const Deadlock& x) {
        f.kind = FailureKind::deadlock;
        f.message = x.what();
    } catch (const LimitExceeded& x) {
        f.kind = x.which() == LimitExceeded::Which::steps ? FailureKind::step_limit : FailureKind::virtual_time_limit;
        f.message = x.what();
    } catch (const ReplayDivergence& x) {
        f.kind = FailureKind::replay_divergence;
        f.message = x.what();
    } catch (const std::exception& x) {
        f.message = x.what();
    } catch (...) {
        f.message = describe(e);
    }
    return f;
}

bool same_failure(const RunFailure& a, const RunFailure& b) {
    if (a.kind != b.kind || a.requirement != b.requirement) return false;
    return a.kind != FailureKind::exception || exception_type_name(a.exception) == exception_type_name(b.exception);
}

std::string signature(const RunFailure& f) {
    switch (f.kind) {
    case FailureKind::exception:
        return "exception " + exception_type_name(f.exception) +
               (f.requirement.empty() ? std::string() : "; oracle: " + f.requirement);
    case FailureKind::deadlock: return "deadlock";
    case FailureKind::step_limit: return "limit: steps";
    case FailureKind::virtual_time_limit: return "limit: virtual time";
    case FailureKind::replay_divergence: return "divergence";
    case FailureKind::requirement: return "oracle: " + f.requirement;
    case FailureKind::predicate: return "predicate";
    }
    return "unknown";
}

}  // namespace aio::sim
