import asyncio


async def serve(reader, writer):
    await reader.read()
    writer.close()
    await writer.wait_closed()


async def main():
    server = await asyncio.start_server(serve, '127.0.0.1', 0)
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection('127.0.0.1', port)
    print('is_closing before close():', writer.is_closing())
    writer.close()
    print('is_closing after close():', writer.is_closing())
    try:
        await writer.drain()
        print('drain after close(): no error')
    except ConnectionResetError as e:
        print(f'drain after close(): {type(e).__name__}: {e}')
    await writer.wait_closed()
    print('wait_closed returned')
    await writer.wait_closed()
    print('wait_closed again returned')
    print('reader at_eof after our close:', reader.at_eof())
    server.close()
    await server.wait_closed()


asyncio.run(main())
