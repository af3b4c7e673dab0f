import asyncio
import socket


async def main():
    # A listening socket that never accepts, with listen(0): Linux queues one connection,
    # the next handshakes are not answered, so a connect waits until it is given up.
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
    loop = asyncio.get_running_loop()
    start = loop.time()
    try:
        await asyncio.wait_for(asyncio.open_connection('127.0.0.1', port), 0.3)
        print('connected')
    except TimeoutError as e:
        print(f'{type(e).__name__}: {e!r}')
    print('waited about 0.3 s:', 0.25 < loop.time() - start < 1.0)
    try:
        async with asyncio.timeout(0.2):
            await loop.create_connection(asyncio.Protocol, '127.0.0.1', port)
    except TimeoutError:
        print('timeout() around create_connection: TimeoutError')
    for s in fillers:
        s.close()
    ls.close()


asyncio.run(main())
