// The model against real CPython: sampled random programs are rendered to Python and run by
// CPython 3.12's own asyncio (on a virtual-time loop, so no real time passes), and the
// outcome it prints must equal the model's prediction and the C++ runtime's fifo run, line
// for line. Skipped (exit 77) when `PYENV_VERSION=3.12.1 python3` is not Python 3.12.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <aio/sim/sim_loop.hpp>

#include "generate.hpp"
#include "interpreter.hpp"
#include "model.hpp"
#include "python.hpp"

using namespace aio::props;
namespace fs = std::filesystem;

namespace {

const char* python = "PYENV_VERSION=3.12.1 python3";
// 40 in CI; AIOSIM_PY_SAMPLES=N for a longer comparison.
std::size_t samples() {
    const char* e = std::getenv("AIOSIM_PY_SAMPLES");
    return e ? static_cast<std::size_t>(std::max(1L, std::strtol(e, nullptr, 10))) : 40;
}

bool have_python312() {
    const std::string cmd = fmt::format(
        "{} -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 12) else 1)' >/dev/null 2>&1", python);
    return std::system(cmd.c_str()) == 0;
}

std::vector<Program> sample_programs() {
    std::vector<Program> out;
    const rc::Gen<Program> gen = gen_program();
    const std::size_t n = samples();
    for (int i = 0; out.size() < n; ++i) {
        Program p = gen(rc::Random(1000 + static_cast<std::uint64_t>(i)), rc::kNominalSize).value();
        if (p.nodes.size() < 2 || predict(p).ambiguous) continue;  // keep the sample interesting
        out.push_back(std::move(p));
    }
    return out;
}

// Runs every program in one CPython process; returns each one's printed outcome.
std::vector<std::string> run_in_cpython(const std::vector<Program>& programs) {
    const fs::path dir = fs::temp_directory_path() / fmt::format("aiosim_pymodel_{}", getpid());
    fs::create_directories(dir);
    std::ofstream driver(dir / "driver.py");
    driver << "import runpy, sys\n";
    for (std::size_t i = 0; i < programs.size(); ++i) {
        std::ofstream(dir / fmt::format("p{}.py", i)) << to_python(programs[i]);
        driver << fmt::format(
            "print('=== {}', flush=True)\nrunpy.run_path('{}', run_name='__main__')\nsys.stdout.flush()\n", i,
            (dir / fmt::format("p{}.py", i)).string());
    }
    driver.close();
    const std::string cmd = fmt::format("cd {} && {} driver.py > out.txt 2> err.txt", dir.string(), python);
    const int rc = std::system(cmd.c_str());
    std::ifstream in(dir / "out.txt");
    std::stringstream all;
    all << in.rdbuf();
    std::vector<std::string> outs(programs.size());
    std::string line;
    int cur = -1;
    while (std::getline(all, line)) {
        if (line.rfind("=== ", 0) == 0) {
            cur = std::stoi(line.substr(4));
            continue;
        }
        if (cur >= 0) outs[static_cast<std::size_t>(cur)] += line + "\n";
    }
    if (rc != 0) {
        std::ifstream err(dir / "err.txt");
        std::stringstream e;
        e << err.rdbuf();
        FAIL("CPython failed (exit " << rc << "):\n" << e.str());
    }
    fs::remove_all(dir);
    return outs;
}

}  // namespace

TEST_CASE("CPython 3.12 agrees with the model and with the runtime's fifo run on sampled programs") {
    const std::vector<Program> programs = sample_programs();
    const std::vector<std::string> cpython = run_in_cpython(programs);
    int cancelled = 0, raised = 0, groups = 0, group_errors = 0, timeouts = 0, fired = 0, wait_fors = 0, not_raised = 0;
    for (std::size_t i = 0; i < programs.size(); ++i) {
        const Program& p = programs[i];
        const Prediction pred = predict(p);
        const std::string model = to_string(pred.outcome);
        const Observed cpp = interpret(p, {.loop_factory = aio::sim::loop_factory({})});
        INFO("program ", i, ":\n", to_string(p), "\nPython:\n", to_python(p));
        CHECK(cpython[i] == model);
        CHECK(to_string(cpp.outcome) == model);
        cancelled += model.find("cancelled") != std::string::npos;
        raised += model.find("raised") != std::string::npos;
        groups += count(p, Stmt::Kind::task_group) > 0;
        group_errors += model.find("raised g(") != std::string::npos;
        timeouts += count(p, Stmt::Kind::timeout) > 0;
        wait_fors += count(p, Stmt::Kind::wait_for) > 0;
        fired += pred.timeouts_fired > 0;
        not_raised += pred.expired_not_raised > 0;
        CHECK(cpp.timeouts_fired == pred.timeouts_fired);
        CHECK(cpp.timeout_violations == 0);
    }
    MESSAGE("programs with timeouts: ", timeouts, ", with wait_for: ", wait_fors, ", where one fired: ", fired,
            ", where one expired without TimeoutError: ", not_raised);
    // The sample exercises cancellation and errors, not only happy paths.
    CHECK(cancelled >= 5);
    CHECK(raised >= 5);
    CHECK(groups >= 5);
    CHECK(group_errors >= 2);  // ExceptionGroups from TaskGroups, as CPython formats them
    CHECK(timeouts >= 5);      // timeout blocks and wait_for: TimeoutError at the deadline,
    CHECK(wait_fors >= 3);     // the block cancelled, the end time of everything it awaited
    CHECK(fired >= 5);
}

int main(int argc, char** argv) {
    if (!have_python312()) {
        std::puts("skipped: `PYENV_VERSION=3.12.1 python3` is not Python 3.12");
        return 77;
    }
    doctest::Context ctx(argc, argv);
    return ctx.run();
}
