import asyncio


async def serve(reader, writer):
    for i in range(5):
        writer.write(f'part {i};'.encode())
        await writer.drain()
        await asyncio.sleep(0.02)
    writer.close()
    await writer.wait_closed()


async def main():
    server = await asyncio.start_server(serve, '127.0.0.1', 0)
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection('127.0.0.1', port)
    print('read() collects until EOF:', await reader.read())
    print('at_eof:', reader.at_eof())
    print('read(10) at EOF:', await reader.read(10))
    try:
        await reader.readuntil(b';')
    except asyncio.IncompleteReadError as e:
        print(f'readuntil at EOF: {e}')
    async for line in reader:
        print('never reached', line)
    print('async for over an ended stream: no lines')
    writer.close()
    await writer.wait_closed()
    server.close()
    await server.wait_closed()


asyncio.run(main())
