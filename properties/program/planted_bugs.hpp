#pragma once
// The deliberately wrong variants used to show that the properties catch real bugs. Each is
// selected by compiling shim.cpp with AIOSIM_PLANTED_BUG=N (test-only builds), or, for the
// model, by a ModelBelief. The planted-bug tests assert that the matching property fails and
// that its shrunk schedule has at most `decisions_needed` non-zero decisions.
namespace aio::props {

enum PlantedBug : int {
    no_bug = 0,
    /// gather returns results in completion order instead of argument order. Caught by
    /// "gather keeps argument order". Needs at most 1 non-zero decision (children that finish
    /// in argument order under fifo must be reordered once; a program whose children already
    /// finish out of order needs none).
    gather_completion_order = 1,
    /// run() closes the loop without cancelling pending tasks first (their frames are
    /// destroyed, their CancelledError handlers never run). Caught by "an exception cancels
    /// the siblings". Needs 0 decisions.
    run_skips_cancellation = 2,
    /// sleep(d) wakes 1 ms early when d > 1 ms. Caught by "each sleep wakes exactly
    /// at its deadline". Needs 0 decisions.
    sleep_wakes_early = 3,
};

}  // namespace aio::props
