import asyncio


async def handle(reader, writer):
    while True:
        line = await reader.readline()
        if not line:
            break
        writer.write(b'echo: ' + line)
        await writer.drain()
    writer.close()
    await writer.wait_closed()


async def main():
    server = await asyncio.start_server(handle, '127.0.0.1', 0)
    port = server.sockets[0].getsockname()[1]
    print('listening on an OS-chosen port:', port != 0)
    reader, writer = await asyncio.open_connection('127.0.0.1', port)
    for word in ['hello', 'world', '', 'last one']:
        writer.write(word.encode() + b'\n')
        await writer.drain()
        reply = await reader.readline()
        print('reply:', reply)
    writer.close()
    await writer.wait_closed()
    print('client closed:', writer.is_closing())
    server.close()
    await server.wait_closed()
    print('server closed:', not server.is_serving())


asyncio.run(main())
