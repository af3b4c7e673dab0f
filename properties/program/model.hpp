#pragma once
// The model: what asyncio must do with a phase-disciplined program (see program.hpp),
// written from asyncio's documented semantics, not from aio's code. It is a small
// discrete-event evaluation at the level of virtual time: at each instant it runs whatever
// is due, and cancellation and completion propagate as in asyncio (cancelling a task that
// awaits a task cancels that task; cancelling a task that awaits a gather cancels the
// gather's children; a gather fails with its first failing or cancelled child and does not
// cancel the others; a task cancelled before its first step never runs its body; run()
// cancels every pending task after main). Time advances only between instants; it is kept in
// eighths of a unit, because timeouts expire between phase instants. Timeouts follow
// timeouts.py: expiry cancels the task (counted by cancelling()), and a CancelledError that
// leaves the block becomes TimeoutError only if uncancel() gets back to the count at entry
// (a TaskGroup that cancelled its parent from _on_task_done never withdraws that request in
// 3.12 when the parent was already waiting in __aexit__: a later timeout of that task then
// raises CancelledError).
//
// Within one instant the model picks one order. The phase discipline makes the outcome
// independent of that order, with exceptions it detects, all about a task whose spawner
// yielded after spawning it in the same instant (asyncio starts the task first; the random
// and pct policies may run the spawner on first): the spawner then cancels it, or main ends
// in that instant. Whether the task started depends on the order: `ambiguous` is set and the
// prediction must not be relied on (properties discard such programs).
#include "fates.hpp"
#include "program.hpp"

namespace aio::props {

struct Prediction {
    Fates outcome;
    bool ambiguous = false;
    int timeouts_fired = 0;      // timeout/wait_for statements that ended in TimeoutError
    int expired_not_raised = 0;  // expired, but another cancel request kept CancelledError (or none came)
};

/// Variants of the model used to show that the model property has teeth (a wrong belief
/// about asyncio must be caught).
enum class ModelBelief {
    asyncio,                  // the real semantics
    gather_cancels_siblings,  // wrong: a failing gather child cancels its siblings
};

Prediction predict(const Program& p, ModelBelief belief = ModelBelief::asyncio);

/// The delay (in units) of a phase sleep `j` of node `k` at time `now` with modulus m.
std::int64_t phase_delay(std::int64_t now, int k, int m, int j);

}  // namespace aio::props
