#pragma once
// Done-callbacks that can be removed by equality (asyncio's remove_done_callback(fn)): the
// callable is stored as a DoneFn<H, F>, so a later removal finds it by its type and compares
// it with ==.
#include <cstddef>
#include <utility>
#include <vector>

#include "aio/detail/callback.hpp"
#include "aio/detail/future_state.hpp"

namespace aio::detail {

/// fn(self) once the future is done: what a Future's or a Task's add_done_callback stores.
template <class H, class F>
struct DoneFn {
    H self;
    F fn;
    void operator()() { fn(self); }
};

template <class H, class F>
void add_done_fn_of(FutureBase& s, H self, F fn, ContextCell* context = nullptr) {
    add_callback(s, DoneFn<H, F>{std::move(self), std::move(fn)}, context);
}

/// Removes every pending callback registered as an F comparing equal to `fn`; returns how many.
/// The callbacks are compared on a held copy of the list, so an operator== that adds or removes
/// callbacks of this future (CPython's test_remove_done_callbacks_list_mutation) is safe.
template <class H, class F>
std::size_t remove_done_fn_of(FutureBase& s, const F& fn) {
    std::vector<Ref<CallbackNode>> nodes;
    s.for_each_done_callback([&](const ReadyEntry& e) {
        if (e.fn == &CallbackNode::invoke) nodes.emplace_back(static_cast<CallbackNode*>(e.arg));
    });
    std::size_t removed = 0;
    for (const auto& node : nodes) {
        const auto* stored = node->fn.template target<DoneFn<H, F>>();
        if (stored && stored->fn == fn) removed += s.remove_done_callback(node.get());
    }
    return removed;
}

}  // namespace aio::detail
