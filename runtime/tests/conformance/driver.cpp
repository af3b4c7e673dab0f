// The conformance pairs' C++ halves in one program:
//     conformance_programs NAME [--loop real|sim|sim:PARAMS]   runs one pair's C++ half
//                                                   (sim:PARAMS: fifo with replay parameters)
//     conformance_programs --list                   prints every pair's name
// A pair's output (stdout) and exit status must equal its Python twin's, byte for byte.
#include <fmt/format.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "conformance.hpp"

namespace {

int usage() {
    fmt::print(stderr, "usage: conformance_programs NAME [--loop real|sim|sim:PARAMS] | --list\n");
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    std::string name;
    std::string loop = "real";
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--list") == 0) {
            for (std::size_t p = 0; p < conformance::program_count; ++p)
                fmt::print("{}\n", conformance::programs[p].name);
            return 0;
        }
        if (std::strcmp(argv[i], "--loop") == 0 && i + 1 < argc) {
            loop = argv[++i];
        } else if (argv[i][0] != '-' && name.empty()) {
            name = argv[i];
        } else {
            return usage();
        }
    }
    const conformance::Program* program = nullptr;
    for (std::size_t p = 0; p < conformance::program_count; ++p) {
        if (name == conformance::programs[p].name) program = &conformance::programs[p];
    }
    if (program == nullptr) {
        fmt::print(stderr, "no conformance pair named '{}' (--list lists them)\n", name);
        return usage();
    }
    aio::RunOptions opts;
    std::string params;
    if (loop.rfind("sim:", 0) == 0) {
        params = loop.substr(4);
        loop = "sim";
    }
    if (loop == "sim") {
        if (!conformance::sim_loop_factory) {
            fmt::print(stderr, "this build has no simulator loop\n");
            return 77;
        }
        if (program->real_only) {
            fmt::print(stderr, "pair '{}' opens real sockets: it runs on the real loop only\n", name);
            return 77;
        }
        try {
            opts.loop_factory =
                params.empty() ? conformance::sim_loop_factory : conformance::sim_loop_factory_with(params);
        } catch (const std::exception& e) {
            fmt::print(stderr, "--loop sim:{}: {}\n", params, e.what());
            return 2;
        }
    } else if (loop != "real") {
        fmt::print(stderr, "unknown loop '{}': expected real or sim\n", loop);
        return 2;
    }
    int rc = program->main(std::move(opts));
    std::fflush(stdout);
    return rc;
}
