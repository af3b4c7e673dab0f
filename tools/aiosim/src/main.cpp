// main() of aiosim::cli_main: the aiosim command line over every scenario linked into the
// program.
#include "aio/cli.hpp"

int main(int argc, char** argv) { return aio::cli::main(argc, argv); }
