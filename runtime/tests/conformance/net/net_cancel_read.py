import asyncio


async def serve(reader, writer, go):
    await go.wait()
    writer.write(b'late line\n')
    await writer.drain()
    await reader.read()  # until the client closes
    writer.close()
    await writer.wait_closed()


async def main():
    go = asyncio.Event()
    server = await asyncio.start_server(lambda r, w: serve(r, w, go), '127.0.0.1', 0)
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection('127.0.0.1', port)
    t = asyncio.create_task(reader.readline())
    await asyncio.sleep(0.1)
    t.cancel()
    try:
        await t
    except asyncio.CancelledError:
        print('readline cancelled:', t.cancelled())
    try:
        await asyncio.wait_for(reader.readexactly(5), 0.1)
    except TimeoutError:
        print('readexactly timed out')
    go.set()
    print('next readline:', await reader.readline())
    writer.close()
    await writer.wait_closed()
    server.close()
    await server.wait_closed()


asyncio.run(main())
