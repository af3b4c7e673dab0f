#pragma once
// Scenarios: runnable aio programs that the `aiosim` tool lists, runs and checks.
//
//     #include <aio/aio.hpp>
//     #include <aio/scenario.hpp>
//
//     aio::Coro<void> greet(aio::scenario::Context& ctx) {
//         co_await aio::sleep(std::chrono::seconds(1));
//         ctx.print("Hello from {}", aio::current_task().name());
//     }
//
//     AIOSIM_SCENARIO(hello, "prints a greeting after one second") {
//         aio::run(greet(ctx), ctx.run_options());
//         return 0;
//     }
//
//     AIOSIM_ORACLE(hello) {   // optional: what must hold in every run
//         verdict.require(outcome.lines.size() == 1, "one line expected, got {}", outcome.lines.size());
//     }
//
// AIOSIM_SCENARIO(name, description) { body } registers a scenario. `name` must be an
// identifier (it names the scenario on the command line); `description` is one line for
// `aiosim list`. The body sees `ctx` (aio::scenario::Context&, see context.hpp) and returns the
// exit status. Use it at namespace scope; a name used twice in one program is a link error.
//
// AIOSIM_ORACLE(name) { body } declares the scenario's oracle, checked by aio::scenario::check
// and by exploration. It must follow AIOSIM_SCENARIO(name, ...) in the same file. The body sees
// `outcome` (const aio::scenario::Execution&) and `verdict` (aio::scenario::Verdict&), and
// replaces the default oracle entirely: check the exit status and escaped exception yourself.
//
// Linking: link your scenario files into an executable together with aiosim::cli_main, which
// provides main() (the aiosim command line over your scenarios). If the scenario files go
// through a static library first, the linker drops them (nothing refers to them): use an
// OBJECT library, or link the archive whole ($<LINK_LIBRARY:WHOLE_ARCHIVE,lib>).
#include <source_location>

#include <aio/scenario/execute.hpp>
#include <aio/scenario/context.hpp>
#include <aio/scenario/execution.hpp>
#include <aio/scenario/registry.hpp>
#include <aio/scenario/verdict.hpp>

#define AIOSIM_SCENARIO(name, description)                                                    \
    int aiosim_scenario_##name(::aio::scenario::Context& ctx);                                \
    static const ::aio::scenario::detail::ScenarioRegistrar aiosim_scenario_registrar_##name{ \
        #name, description, &aiosim_scenario_##name, ::std::source_location::current()};      \
    int aiosim_scenario_##name([[maybe_unused]] ::aio::scenario::Context& ctx)

#define AIOSIM_ORACLE(name)                                                                                  \
    void aiosim_oracle_##name(const ::aio::scenario::Execution& outcome, ::aio::scenario::Verdict& verdict); \
    static const ::aio::scenario::detail::OracleRegistrar aiosim_oracle_registrar_##name{                    \
        #name, &aiosim_scenario_##name, &aiosim_oracle_##name, ::std::source_location::current()};           \
    void aiosim_oracle_##name([[maybe_unused]] const ::aio::scenario::Execution& outcome,                    \
                              [[maybe_unused]] ::aio::scenario::Verdict& verdict)
