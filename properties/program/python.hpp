#pragma once
// Renders a Program as a Python 3.12 asyncio program that prints the same canonical outcome
// text as to_string(Fates). It runs on a virtual-time loop (asyncio's own selector loop
// whose clock only jumps when it would block), so CPython's real scheduling code decides the
// order and no real time passes.
#include <string>

#include "program.hpp"

namespace aio::props {

std::string to_python(const Program& p);

}  // namespace aio::props
