// expect-error: aio::run() accepts only a coroutine
// The result of a function that is not a coroutine (it forgot to return aio::Coro<int>).
#include <aio/run.hpp>

int compute() { return 42; }

int main() { return aio::run(compute()); }
