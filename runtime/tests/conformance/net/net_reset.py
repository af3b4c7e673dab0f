import asyncio
import socket
import struct


async def serve(reader, writer):
    writer.write(b'hello\n')
    await writer.drain()
    await reader.readline()  # the client has read the greeting
    # SO_LINGER with a zero timeout: close() sends a RST instead of a FIN.
    sock = writer.get_extra_info('socket')
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
    writer.transport.abort()


async def main():
    server = await asyncio.start_server(serve, '127.0.0.1', 0)
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection('127.0.0.1', port)
    print('greeting:', await reader.readline())
    writer.write(b'ok\n')
    try:
        data = await reader.read(100)
        print('read returned', data)
    except ConnectionResetError as e:
        print(f'{type(e).__name__}: {e}')
    print('exception():', type(reader.exception()).__name__)
    try:
        await reader.readline()
    except ConnectionResetError as e:
        print(f'again {type(e).__name__}: {e}')
    try:
        writer.write(b'more')
        await writer.drain()
        print('drain after reset: no error')
    except ConnectionResetError as e:
        print(f'drain: {type(e).__name__}: {e}')
    writer.close()
    server.close()
    await server.wait_closed()


asyncio.run(main())
