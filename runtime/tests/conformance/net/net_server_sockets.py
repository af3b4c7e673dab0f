import asyncio
import socket


async def main():
    loop = asyncio.get_running_loop()
    server = await asyncio.start_server(lambda r, w: w.close(), '127.0.0.1', 0)
    socks = server.sockets
    print('sockets:', len(socks), socks[0].family.name, socks[0].getsockname()[0])
    print('get_loop is the running loop:', server.get_loop() is loop)
    server.close()
    await server.wait_closed()
    print('sockets after close:', server.sockets)

    # host None (all interfaces) binds every address family the machine has.
    server = await asyncio.start_server(lambda r, w: w.close(), None, 0)
    families = sorted(s.family.name for s in server.sockets)
    print('all interfaces:', families, [s.getsockname()[0] for s in sorted(server.sockets, key=lambda s: s.family)])
    server.close()
    await server.wait_closed()

    # Two servers on one port with SO_REUSEPORT.
    a = await asyncio.start_server(lambda r, w: w.close(), '127.0.0.1', 0, reuse_port=True)
    port = a.sockets[0].getsockname()[1]
    b = await asyncio.start_server(lambda r, w: w.close(), '127.0.0.1', port, reuse_port=True)
    print('reuse_port shares the port:', b.sockets[0].getsockname()[1] == port)
    try:
        await asyncio.start_server(lambda r, w: w.close(), '127.0.0.1', port)
    except OSError as e:
        print('without reuse_port:', type(e).__name__, e.errno == 98)
    for s in (a, b):
        s.close()
        await s.wait_closed()


asyncio.run(main())
