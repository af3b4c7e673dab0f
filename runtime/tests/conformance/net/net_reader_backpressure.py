import asyncio

LIMIT = 1024


async def serve(reader, writer):
    writer.write(b'x' * (LIMIT * 8))
    await writer.drain()
    await reader.read()
    writer.close()
    await writer.wait_closed()


async def main():
    server = await asyncio.start_server(serve, '127.0.0.1', 0)
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection('127.0.0.1', port, limit=LIMIT)
    await asyncio.sleep(0.3)
    # The reader pauses the transport once it holds more than 2 * limit bytes.
    print('transport reading with a full buffer:', writer.transport.is_reading())
    got = await reader.readexactly(LIMIT)
    print('read', len(got), '- reading again:', writer.transport.is_reading())
    total = len(got)
    while total < LIMIT * 8:
        total += len(await reader.read(LIMIT))
    print('all bytes arrived:', total)
    await asyncio.sleep(0.1)
    print('reading with an empty buffer:', writer.transport.is_reading())
    writer.close()
    await writer.wait_closed()
    server.close()
    await server.wait_closed()


asyncio.run(main())
