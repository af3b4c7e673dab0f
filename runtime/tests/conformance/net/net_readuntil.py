import asyncio


async def send_and_close(reader, writer, payload):
    writer.write(payload)
    await writer.drain()
    writer.close()
    await writer.wait_closed()


async def main():
    payload = b'key=value;;next=1;;' + b'x' * 40 + b';;tail without separator'
    server = await asyncio.start_server(lambda r, w: send_and_close(r, w, payload), '127.0.0.1', 0)
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection('127.0.0.1', port, limit=32)
    print('readuntil:', await reader.readuntil(b';;'))
    print('readuntil:', await reader.readuntil(b';;'))
    try:
        await reader.readuntil(b';;')
    except asyncio.LimitOverrunError as e:
        print(f'{type(e).__name__}: {e}; consumed={e.consumed}')
    print('the data stays: read(42) =', await reader.read(42))
    try:
        await reader.readuntil(b';;')
    except asyncio.IncompleteReadError as e:
        print(f'{type(e).__name__}: {e}')
        print('partial:', e.partial, 'expected:', e.expected)
    print('at_eof:', reader.at_eof())
    try:
        await reader.readuntil(b'')
    except ValueError as e:
        print(f'ValueError: {e}')
    writer.close()
    await writer.wait_closed()
    server.close()
    await server.wait_closed()


asyncio.run(main())
