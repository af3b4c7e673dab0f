// doctest's main() for the example when it is built on its own (the installed copy,
// share/aiosim/examples/connection_pool/); inside aiosim's tree the tests share one.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
