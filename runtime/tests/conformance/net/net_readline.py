import asyncio


async def send_and_close(reader, writer, payload):
    writer.write(payload)
    await writer.drain()
    writer.close()
    await writer.wait_closed()


async def main():
    payload = b'first\nsecond\n\nno newline at the end'
    server = await asyncio.start_server(lambda r, w: send_and_close(r, w, payload), '127.0.0.1', 0)
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection('127.0.0.1', port)
    for i in range(6):
        line = await reader.readline()
        print(f'readline {i}: {line!r} at_eof={reader.at_eof()}')
    writer.close()
    await writer.wait_closed()
    server.close()
    await server.wait_closed()


asyncio.run(main())
