import asyncio


async def send_and_close(reader, writer, payload):
    writer.write(payload)
    await writer.drain()
    writer.close()
    await writer.wait_closed()


async def main():
    server = await asyncio.start_server(lambda r, w: send_and_close(r, w, b'0123456789abc'), '127.0.0.1', 0)
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection('127.0.0.1', port)
    print('readexactly(4):', await reader.readexactly(4))
    print('readexactly(0):', await reader.readexactly(0))
    print('readexactly(6):', await reader.readexactly(6))
    try:
        await reader.readexactly(10)
    except asyncio.IncompleteReadError as e:
        print(f'{type(e).__name__}: {e}')
        print('partial:', e.partial, 'expected:', e.expected)
        print('is an EOFError:', isinstance(e, EOFError))
    print('at_eof:', reader.at_eof())
    try:
        await reader.readexactly(1)
    except asyncio.IncompleteReadError as e:
        print(f'again {type(e).__name__}: {e}')
    writer.close()
    await writer.wait_closed()
    server.close()
    await server.wait_closed()


asyncio.run(main())
