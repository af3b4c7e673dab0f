import asyncio


async def serve(reader, writer):
    writer.write(b'welcome\n')
    await writer.drain()
    writer.close()
    await writer.wait_closed()


async def main():
    server = await asyncio.start_server(serve, '127.0.0.1', 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        print('serving inside the block:', server.is_serving())
        reader, writer = await asyncio.open_connection('127.0.0.1', port)
        print('greeting:', await reader.readline())
        writer.close()
        await writer.wait_closed()
    print('serving after the block:', server.is_serving())

    server = await asyncio.start_server(serve, '127.0.0.1', 0)
    try:
        async with server:
            raise ValueError('body failed')
    except ValueError as e:
        print('body raised:', e, '- serving:', server.is_serving())

    server = await asyncio.start_server(serve, '127.0.0.1', 0)

    async def body():
        async with server:
            await asyncio.sleep(10)

    t = asyncio.create_task(body())
    await asyncio.sleep(0.1)
    t.cancel()
    try:
        await t
    except asyncio.CancelledError:
        print('body cancelled - serving:', server.is_serving())


asyncio.run(main())
