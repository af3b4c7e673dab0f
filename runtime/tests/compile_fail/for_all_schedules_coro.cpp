// expect-error: aio::check::for_all_schedules() takes a function that makes the program
// The coroutine itself passed where a function making a fresh program for each run belongs.
#include <aio/check/explore.hpp>

aio::Coro<int> prog() { co_return 1; }

int main() { return aio::check::for_all_schedules(prog()).ok ? 0 : 1; }
