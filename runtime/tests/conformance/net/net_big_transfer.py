import asyncio
import zlib

TOTAL = 64 * 1024 * 1024
CHUNK = 1024 * 1024


def chunk(i):
    # A different megabyte each time, so a lost or repeated chunk changes the checksum.
    return bytes([(i * 31 + 7) % 256]) * 1000 + bytes(range(256)) * ((CHUNK - 1000) // 256) + b'!' * ((CHUNK - 1000) % 256)


async def receive(reader, writer, done):
    await asyncio.sleep(0.3)  # let the sender's buffers fill first
    crc, n = 0, 0
    while True:
        data = await reader.read(256 * 1024)
        if not data:
            break
        crc = zlib.crc32(data, crc)
        n += len(data)
    writer.write(f'{n} {crc:08x}\n'.encode())
    await writer.drain()
    writer.close()
    await writer.wait_closed()
    done.set_result((n, crc))


async def main():
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    server = await asyncio.start_server(lambda r, w: receive(r, w, done), '127.0.0.1', 0)
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection('127.0.0.1', port)
    high = writer.transport.get_write_buffer_limits()[1]
    crc, backpressure = 0, False
    for i in range(TOTAL // CHUNK):
        c = chunk(i)
        crc = zlib.crc32(c, crc)
        writer.write(c)
        if writer.transport.get_write_buffer_size() > high:
            backpressure = True
        await writer.drain()
        if writer.transport.get_write_buffer_size() > high:
            print('drain returned above the high-water mark')
    writer.write_eof()
    reply = await reader.readline()
    n, server_crc = await done
    print('sent', TOTAL, 'bytes, crc32', f'{crc:08x}')
    print('server got', n, 'bytes, crc32', f'{server_crc:08x}')
    print('reply:', reply)
    print('checksums match:', crc == server_crc)
    print('drain waited on a full buffer:', backpressure)
    writer.close()
    await writer.wait_closed()
    server.close()
    await server.wait_closed()


asyncio.run(main())
