import asyncio


async def serve(reader, writer):
    writer.write(b'abcdefghij')
    await writer.drain()
    await reader.readline()  # the client's go-ahead
    writer.write(b'klmnopqrstuvwxyz')
    await writer.drain()
    writer.close()
    await writer.wait_closed()


async def main():
    server = await asyncio.start_server(serve, '127.0.0.1', 0)
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection('127.0.0.1', port)
    print('read(0):', await reader.read(0))
    print('read(3):', await reader.readexactly(3))
    print('read(100):', await reader.read(100))
    writer.write(b'go\n')
    print('read(-1):', await reader.read(-1))
    print('at_eof:', reader.at_eof())
    print('read(-1) again:', await reader.read(-1))
    print('read(5) at EOF:', await reader.read(5))
    print('readline at EOF:', await reader.readline())
    writer.close()
    await writer.wait_closed()
    server.close()
    await server.wait_closed()


asyncio.run(main())
