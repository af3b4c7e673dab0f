import asyncio


async def serve(reader, writer):
    writer.write(b'hi\n')
    await writer.drain()
    writer.close()
    await writer.wait_closed()


async def main():
    server = await asyncio.start_server(serve, '127.0.0.1', 0, start_serving=False)
    port = server.sockets[0].getsockname()[1]
    print('serving before start:', server.is_serving())
    forever = asyncio.create_task(server.serve_forever())
    await asyncio.sleep(0.1)
    print('serving under serve_forever:', server.is_serving())
    reader, writer = await asyncio.open_connection('127.0.0.1', port)
    print('greeting:', await reader.readline())
    writer.close()
    await writer.wait_closed()
    forever.cancel()
    try:
        await forever
    except asyncio.CancelledError:
        print('serve_forever cancelled:', forever.cancelled())
    print('serving after cancel:', server.is_serving())
    try:
        await asyncio.open_connection('127.0.0.1', port)
    except ConnectionRefusedError:
        print('refused after cancel')
    await server.wait_closed()
    print('wait_closed returned')


asyncio.run(main())
