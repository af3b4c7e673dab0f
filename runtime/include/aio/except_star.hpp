#pragma once
// Python's exception group operations, on std::exception_ptr: eg.subgroup(cond), eg.split(cond),
// eg.derive(excs), and `except*` as a helper (C++ has no except*, and a coroutine cannot
// co_await inside a catch block, so the helper works on a captured exception):
//
//     std::exception_ptr e;
//     try { co_await tg.run(body); } catch (...) { e = std::current_exception(); }
//     aio::ExceptStar x(e);
//     if (auto g = x.match<aio::ValueError>()) { ... co_await cleanup(); ... }   // except* ValueError as g
//     if (auto g = x.match<aio::TimeoutError>()) { ... }
//     x.rethrow_rest();   // what no clause matched, if anything (as Python re-raises it)
//
// A condition is an exception type E (Python's isinstance: matches<E>) or a predicate on the
// exception_ptr. Like Python, the condition is tried on a group itself first, then on its
// members, nested groups walked; groups left empty vanish; a group kept whole is the same
// exception_ptr; a group changed is derive()d: the same message, an ExceptionGroup when every
// member is a std::exception, else a BaseExceptionGroup. A null result is Python's None.
#include <cstddef>
#include <exception>
#include <functional>
#include <utility>
#include <vector>

#include "aio/errors.hpp"

namespace aio {

using ExceptionCondition = std::function<bool(const std::exception_ptr&)>;

/// isinstance(e, E).
template <class E>
bool matches(const std::exception_ptr& e) noexcept {
    if (!e) return false;
    try {
        std::rethrow_exception(e);
    } catch (const E&) {
        return true;
    } catch (...) {
        return false;
    }
}

/// The group held by e, or null when e holds something else.
inline const BaseExceptionGroup* as_group(const std::exception_ptr& e) noexcept {
    if (!e) return nullptr;
    try {
        std::rethrow_exception(e);
    } catch (const BaseExceptionGroup& g) {
        return &g;  // the object lives as long as e
    } catch (...) {
        return nullptr;
    }
}

/// eg.derive(excs): a group with eg's message and other members.
inline std::exception_ptr derive(const BaseExceptionGroup& eg, std::vector<std::exception_ptr> excs) {
    return make_exception_group(eg.message(), std::move(excs));
}

/// (match, rest) = eg.split(cond); e may also be a single exception (then one side is e, the
/// other null). Iterative: nested groups are walked with an explicit stack.
inline std::pair<std::exception_ptr, std::exception_ptr> split(const std::exception_ptr& e,
                                                               const ExceptionCondition& cond) {
    if (!e) return {nullptr, nullptr};
    if (cond(e)) return {e, nullptr};
    if (!as_group(e)) return {nullptr, e};
    struct Frame {
        std::exception_ptr self;
        const BaseExceptionGroup* group;
        std::size_t next = 0;
        std::vector<std::exception_ptr> match, rest;
    };
    std::vector<Frame> stack;
    stack.push_back(Frame{e, as_group(e), 0, {}, {}});
    std::pair<std::exception_ptr, std::exception_ptr> done;
    while (!stack.empty()) {
        Frame& f = stack.back();
        if (f.next < f.group->exceptions().size()) {
            const std::exception_ptr& m = f.group->exceptions()[f.next++];
            if (cond(m)) {
                f.match.push_back(m);
            } else if (const auto* g = as_group(m)) {
                stack.push_back(Frame{m, g, 0, {}, {}});  // f is not used after this push
            } else {
                f.rest.push_back(m);
            }
            continue;
        }
        // Every member seen: this group's two sides.
        const std::size_t n = f.group->exceptions().size();
        auto side = [&](std::vector<std::exception_ptr>& v) -> std::exception_ptr {
            if (v.empty()) return nullptr;
            if (v.size() == n) {
                bool same = true;
                for (std::size_t k = 0; k < n; ++k) same = same && v[k] == f.group->exceptions()[k];
                if (same) return f.self;
            }
            return derive(*f.group, std::move(v));
        };
        std::pair<std::exception_ptr, std::exception_ptr> sides{side(f.match), side(f.rest)};
        stack.pop_back();
        if (stack.empty()) {
            done = std::move(sides);
        } else {
            if (sides.first) stack.back().match.push_back(sides.first);
            if (sides.second) stack.back().rest.push_back(sides.second);
        }
    }
    return done;
}
template <class E>
std::pair<std::exception_ptr, std::exception_ptr> split(const std::exception_ptr& e) {
    return split(e, &matches<E>);
}

/// eg.subgroup(cond): the match side of split.
inline std::exception_ptr subgroup(const std::exception_ptr& e, const ExceptionCondition& cond) {
    return split(e, cond).first;
}
template <class E>
std::exception_ptr subgroup(const std::exception_ptr& e) {
    return split(e, &matches<E>).first;
}

/// `try: ... except* E1 as g: ... except* E2 as g: ...` on a captured exception (see above).
class ExceptStar {
public:
    explicit ExceptStar(std::exception_ptr e) : rest_(std::move(e)) {}

    /// except* cond: the matching part, removed from what is left (null: the clause does not
    /// run). A single exception that matches is given wrapped, as ExceptionGroup("", [e]).
    std::exception_ptr match(const ExceptionCondition& cond) {
        if (!rest_) return nullptr;
        auto [m, r] = split(rest_, cond);
        if (!m) return nullptr;
        rest_ = r;
        if (!as_group(m)) return make_exception_group("", {m});
        return m;
    }
    template <class E>
    std::exception_ptr match() {
        return match(&matches<E>);
    }

    /// What no clause matched: null when everything was handled.
    std::exception_ptr rest() const noexcept { return rest_; }
    /// Rethrows rest() if there is any (the original exception when no clause matched).
    void rethrow_rest() const {
        if (rest_) std::rethrow_exception(rest_);
    }

private:
    std::exception_ptr rest_;
};

}  // namespace aio
