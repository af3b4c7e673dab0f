#pragma once
// aio::sim::touch(obj): the same as aio::touch (aio/touch.hpp), under the simulator's name:
// marks a use of shared state by the running task step, for exploration coverage and pos.
#include "aio/touch.hpp"

namespace aio::sim {

using aio::touch;
using aio::touch_end;

}  // namespace aio::sim
