import asyncio


async def serve(reader, writer):
    data = await reader.read()  # until the client's write_eof()
    print('server read', len(data), 'bytes, then EOF:', reader.at_eof())
    writer.write(f'got {len(data)} bytes\n'.encode())
    writer.write(data[::-1])
    await writer.drain()
    writer.close()
    await writer.wait_closed()


async def main():
    server = await asyncio.start_server(serve, '127.0.0.1', 0)
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection('127.0.0.1', port)
    print('can_write_eof:', writer.can_write_eof())
    writer.write(b'half-')
    writer.writelines([b'close', b'd!'])
    writer.write_eof()
    try:
        writer.write(b'x')
    except RuntimeError as e:
        print(f'write after write_eof: RuntimeError: {e}')
    print('is_closing after write_eof:', writer.is_closing())
    print('reply:', await reader.readline())
    print('rest:', await reader.read())
    writer.close()
    await writer.wait_closed()
    server.close()
    await server.wait_closed()


asyncio.run(main())
