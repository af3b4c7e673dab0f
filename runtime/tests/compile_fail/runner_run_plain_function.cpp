// expect-error: aio::Runner::run() accepts only a coroutine
// aio::Runner::run with a plain function instead of a coroutine call.
#include <aio/run.hpp>

void work() {}

int main() {
    aio::Runner runner;
    runner.run(work);
}
