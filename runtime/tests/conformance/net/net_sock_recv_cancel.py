import asyncio
import os
import socket


def fd_count():
    return len(os.listdir('/proc/self/fd'))


async def main():
    loop = asyncio.get_running_loop()
    a, b = socket.socketpair()
    a.setblocking(False)
    b.setblocking(False)
    t = asyncio.create_task(loop.sock_recv(b, 100))
    await asyncio.sleep(0.1)
    t.cancel()
    try:
        await t
    except asyncio.CancelledError:
        print('sock_recv cancelled')
    print('no reader left:', loop.remove_reader(b.fileno()) is False)
    a.send(b'after the cancel')
    print('next sock_recv:', await loop.sock_recv(b, 100))

    # A cancelled connect to a listener that never answers leaves no socket behind.
    ls = socket.socket()
    ls.bind(('127.0.0.1', 0))
    ls.listen(0)
    port = ls.getsockname()[1]
    fillers = []
    for _ in range(2):
        s = socket.socket()
        s.setblocking(False)
        try:
            s.connect(('127.0.0.1', port))
        except BlockingIOError:
            pass
        fillers.append(s)
    await asyncio.sleep(0.1)
    before = fd_count()
    t = asyncio.create_task(asyncio.open_connection('127.0.0.1', port))
    await asyncio.sleep(0.2)
    print('connect still waiting:', not t.done())
    t.cancel()
    try:
        await t
    except asyncio.CancelledError:
        print('open_connection cancelled')
    await asyncio.sleep(0)
    print('file descriptors left behind:', fd_count() - before)
    for s in fillers + [ls, a, b]:
        s.close()


asyncio.run(main())
