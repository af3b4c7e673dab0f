#pragma once
// The whole aio runtime. Read the headers in this order: coro, task, event_loop, run, sleep,
// gather, to_thread, errors; then
// structured concurrency: task_group, timeout, wait_for, shield, wait, as_completed.
#include "aio/as_completed.hpp"
#include "aio/clock.hpp"
#include "aio/coro.hpp"
#include "aio/errors.hpp"
#include "aio/event_loop.hpp"
#include "aio/executor.hpp"
#include "aio/future.hpp"
#include "aio/gather.hpp"
#include "aio/handle.hpp"
#include "aio/run.hpp"
#include "aio/shield.hpp"
#include "aio/sleep.hpp"
#include "aio/task.hpp"
#include "aio/task_group.hpp"
#include "aio/timeout.hpp"
#include "aio/to_thread.hpp"
#include "aio/wait.hpp"
#include "aio/wait_for.hpp"
