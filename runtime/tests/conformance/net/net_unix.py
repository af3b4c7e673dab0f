import asyncio
import errno
import os
import tempfile


async def serve(reader, writer):
    line = await reader.readline()
    writer.write(line.upper())
    await writer.drain()
    writer.close()
    await writer.wait_closed()


async def main():
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, 'echo.sock')
        server = await asyncio.start_unix_server(serve, path)
        print('socket file exists:', os.path.exists(path))
        print('server address is the path:', server.sockets[0].getsockname() == path)
        reader, writer = await asyncio.open_unix_connection(path)
        print('peername is the path:', writer.get_extra_info('peername') == path)
        print('sockname is unnamed:', repr(writer.get_extra_info('sockname')))
        writer.write(b'over a unix socket\n')
        print('reply:', await reader.readline())
        print('then EOF:', await reader.read())
        writer.close()
        await writer.wait_closed()
        server.close()
        await server.wait_closed()
        # A stale socket file (no server) is replaced by the next server on that path.
        server = await asyncio.start_unix_server(serve, path)
        reader, writer = await asyncio.open_unix_connection(path)
        writer.write(b'second server\n')
        print('reply:', await reader.readline())
        writer.close()
        await writer.wait_closed()
        server.close()
        await server.wait_closed()
        os.unlink(path)
        try:
            await asyncio.open_unix_connection(path)
        except OSError as e:
            print('OSError with errno ENOENT:', e.errno == errno.ENOENT)


asyncio.run(main())
