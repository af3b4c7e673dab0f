// sim_probe POLICY SEED: runs probe_main() under the simulator and prints its replay string
// and trace hash. The determinism test compares this output from fresh processes with the
// same run done in-process.
#include <fmt/format.h>

#include <cstdlib>

#include "probe_program.hpp"

int main(int argc, char** argv) {
    if (argc != 3) {
        fmt::print(stderr, "usage: sim_probe POLICY SEED\n");
        return 2;
    }
    auto policy = aio::sim::policy_from_name(argv[1]);
    if (!policy) {
        fmt::print(stderr, "unknown policy '{}' (valid: {})\n", argv[1], aio::sim::policy_names());
        return 2;
    }
    fmt::print("{}\n", probe::summary(*policy, std::strtoull(argv[2], nullptr, 10)));
    return 0;
}
