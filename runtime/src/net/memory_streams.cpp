// aio::memory_streams(): open_connection()'s wiring over a memory pipe instead of a socket.
#include "aio/net/streams.hpp"

#include "aio/event_loop.hpp"

namespace aio {

std::pair<StreamPair, StreamPair> memory_streams(EventLoop& loop, MemoryPipeOptions options, std::size_t limit) {
    StreamReader r0(limit);
    StreamReader r1(limit);
    auto [t0, t1] = memory_pipe(loop, std::make_unique<StreamReaderProtocol>(loop, r0),
                                std::make_unique<StreamReaderProtocol>(loop, r1), std::move(options));
    auto& p0 = static_cast<StreamReaderProtocol&>(t0->get_protocol());
    auto& p1 = static_cast<StreamReaderProtocol&>(t1->get_protocol());
    StreamWriter w0(t0, p0, r0);
    StreamWriter w1(t1, p1, r1);
    return {StreamPair{std::move(r0), std::move(w0)}, StreamPair{std::move(r1), std::move(w1)}};
}

}  // namespace aio
