#pragma once
// asyncio.streams: StreamReader (stream_reader.hpp), StreamWriter (stream_writer.hpp), their
// protocol (stream_protocol.hpp) and errors (stream_errors.hpp), and memory_streams(): a
// connected pair of streams over aio::memory_pipe(), on any loop, for tests.
#include <cstddef>
#include <utility>

#include "aio/net/memory_transport.hpp"
#include "aio/net/stream_errors.hpp"
#include "aio/net/stream_protocol.hpp"
#include "aio/net/stream_reader.hpp"
#include "aio/net/stream_writer.hpp"

namespace aio {

/// One end of a stream connection: what open_connection() returns.
using StreamPair = std::pair<StreamReader, StreamWriter>;

/// Two stream ends connected by a memory_pipe() on `loop`, each reader with `limit`. Usable at
/// once: writes wait in the link until the transports' connection_made has run.
std::pair<StreamPair, StreamPair> memory_streams(EventLoop& loop, MemoryPipeOptions options = {},
                                                 std::size_t limit = StreamReader::default_limit);

}  // namespace aio
