#include "aio/net/stream_errors.hpp"

#include <fmt/format.h>

namespace aio {

// Python's message: f'{len(partial)} bytes read on a total of {expected!r} expected bytes',
// with 'undefined' for expected=None.
IncompleteReadError::IncompleteReadError(std::string partial, std::optional<std::size_t> expected)
    : EOFError(fmt::format("{} bytes read on a total of {} expected bytes", partial.size(),
                           expected ? std::to_string(*expected) : std::string("undefined"))),
      partial_(std::move(partial)),
      expected_(expected) {}

}  // namespace aio
