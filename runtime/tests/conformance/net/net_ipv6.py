import asyncio
import socket


async def serve(reader, writer):
    writer.write(b'v6: ' + await reader.readline())
    await writer.drain()
    writer.close()
    await writer.wait_closed()


async def main():
    server = await asyncio.start_server(serve, '::1', 0)
    s = server.sockets[0]
    print('family:', s.family.name)
    addr = s.getsockname()
    print('server host:', addr[0], 'address has 4 fields:', len(addr) == 4)
    reader, writer = await asyncio.open_connection('::1', addr[1])
    writer.write(b'hello\n')
    print('reply:', await reader.readline())
    peer = writer.get_extra_info('peername')
    print('peername:', peer[0], peer[1] == addr[1], peer[2:])
    writer.close()
    await writer.wait_closed()
    server.close()
    await server.wait_closed()
    try:
        await asyncio.open_connection('::1', addr[1], family=socket.AF_INET)
    except OSError as e:
        print('::1 with family AF_INET:', type(e).__name__)


asyncio.run(main())
