#pragma once
// detail::SocketServer: the real loop's server, listening sockets accepting into socket
// transports (asyncio's _start_serving / _accept_connection / _accept_connection2).
#include <functional>
#include <memory>
#include <vector>

#include "aio/event_loop.hpp"
#include "aio/net/server.hpp"
#include "aio/net/socket.hpp"

namespace aio::detail {

class SocketServer final : public ServerCore {
public:
    SocketServer(EventLoop& loop, std::vector<Socket> sockets, ProtocolFactory factory, int backlog)
        : ServerCore(loop), sockets_(std::move(sockets)), factory_(std::move(factory)), backlog_(backlog) {}
    std::vector<SocketAddress> addresses() const override;

private:
    void start_listening() override;
    void stop_listening() noexcept override;
    void watch(int fd);
    void accept_ready(int fd);
    void connection_accepted(Socket conn, SocketAddress peer);

    std::vector<Socket> sockets_;
    ProtocolFactory factory_;
    int backlog_;
};

}  // namespace aio::detail
