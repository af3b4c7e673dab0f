#pragma once
// The runtime operations the interpreter uses, behind one seam so that a test-only build can
// plant a bug in them (compile definition AIOSIM_PLANTED_BUG=N on shim.cpp, see
// planted_bugs.hpp). In the normal build each is the runtime's own operation.
#include <vector>

#include <aio/aio.hpp>

namespace aio::props::shim {

/// aio::gather over tasks returning int (results in argument order).
aio::Coro<std::vector<int>> gather(std::vector<aio::Task<int>> children);

/// aio::sleep(d).
aio::Coro<void> sleep(aio::Duration d);

/// aio::run(main, options).
int run(aio::Coro<int> main, aio::RunOptions options);

/// Which planted bug this build has (0: none).
int planted_bug();

}  // namespace aio::props::shim
