// expect-error: aio::run() accepts only a coroutine
// A plain function passed instead of a coroutine call.
#include <aio/run.hpp>

int main_function() { return 0; }

int main() { aio::run(main_function); }
