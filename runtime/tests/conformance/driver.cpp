// Runs one conformance program: `conf_NAME [--loop real|sim]`. The program defines
// conformance_main(); its output (stdout) must equal the Python twin's, byte for byte.
#include <fmt/format.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "conformance.hpp"

int main(int argc, char** argv) {
    std::string loop = "real";
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--loop") == 0 && i + 1 < argc) loop = argv[++i];
    }
    aio::RunOptions opts;
    if (loop == "sim") {
        if (!conformance::sim_loop_factory) {
            fmt::print(stderr, "this build has no simulator loop\n");
            return 77;
        }
        opts.loop_factory = conformance::sim_loop_factory;
    } else if (loop != "real") {
        fmt::print(stderr, "unknown loop '{}': expected real or sim\n", loop);
        return 2;
    }
    int rc = conformance_program(opts);
    std::fflush(stdout);
    return rc;
}
