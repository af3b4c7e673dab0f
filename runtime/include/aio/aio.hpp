#pragma once
// The whole aio runtime. Read the headers in this order: coro, task, event_loop, run, sleep,
// gather, to_thread, errors; then
// structured concurrency: task_group, timeout, wait_for, shield, wait, as_completed.
#include "aio/as_completed.hpp"
// gather, to_thread, errors; then the sync primitives (sync/: event, lock, semaphore,
// condition, barrier, queue).
#include "aio/clock.hpp"
#include "aio/coro.hpp"
#include "aio/errors.hpp"
#include "aio/event_loop.hpp"
#include "aio/executor.hpp"
#include "aio/future.hpp"
#include "aio/gather.hpp"
#include "aio/handle.hpp"
#include "aio/orphan_reports.hpp"
#include "aio/run.hpp"
#include "aio/shield.hpp"
#include "aio/sleep.hpp"
#include "aio/task.hpp"
#include "aio/task_canceller.hpp"
#include "aio/task_group.hpp"
#include "aio/timeout.hpp"
#include "aio/to_thread.hpp"
#include "aio/trace_span.hpp"
#include "aio/wait.hpp"
#include "aio/wait_for.hpp"
#include "aio/sync/barrier.hpp"
#include "aio/sync/condition.hpp"
#include "aio/sync/event.hpp"
#include "aio/sync/lock.hpp"
#include "aio/sync/lock_guard.hpp"
#include "aio/sync/queue.hpp"
#include "aio/sync/semaphore.hpp"
