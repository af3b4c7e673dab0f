#!/usr/bin/env python3
"""The CPython asyncio and uvloop peers of aiosim's network benchmarks (net_compare.py runs
them): server and clients in one process and one loop, over loopback, port chosen by the OS.

    echo_asyncio.py [--uvloop] rr CONNECTIONS SECONDS   round trips of a 64-byte message over
                                                        CONNECTIONS connections; prints
                                                        {"round_trips": N, "seconds": S}
    echo_asyncio.py [--uvloop] bulk BYTES               BYTES one way in 256 KiB writes, with
                                                        drain(); prints {"bytes": N, "seconds": S}

The streams API (open_connection/start_server, readexactly, write + drain), as the aiosim peer
uses. --uvloop runs the same code on uvloop (Debian's python3-uvloop, for /usr/bin/python3).
"""
import asyncio
import json
import sys
import time

MESSAGE = 64
CHUNK = 256 * 1024


async def echo(reader, writer):
    try:
        while True:
            data = await reader.readexactly(MESSAGE)
            writer.write(data)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    writer.close()


async def client(port, deadline):
    reader, writer = await asyncio.open_connection('127.0.0.1', port)
    msg = b'x' * MESSAGE
    n = 0
    while time.monotonic() < deadline:
        writer.write(msg)
        await writer.drain()
        await reader.readexactly(MESSAGE)
        n += 1
    writer.close()
    await writer.wait_closed()
    return n


async def round_trips(connections, seconds):
    server = await asyncio.start_server(echo, '127.0.0.1', 0)
    port = server.sockets[0].getsockname()[1]
    start = time.monotonic()
    counts = await asyncio.gather(*(client(port, start + seconds) for _ in range(connections)))
    elapsed = time.monotonic() - start
    server.close()
    return {'round_trips': sum(counts), 'seconds': elapsed}


async def bulk(total):
    done = asyncio.get_running_loop().create_future()

    async def sink(reader, writer):
        got = 0
        while True:
            data = await reader.read(CHUNK)
            if not data:
                break
            got += len(data)
        writer.write(f'{got}\n'.encode())
        await writer.drain()
        writer.close()
        done.set_result(got)

    server = await asyncio.start_server(sink, '127.0.0.1', 0)
    port = server.sockets[0].getsockname()[1]
    start = time.monotonic()
    reader, writer = await asyncio.open_connection('127.0.0.1', port)
    chunk = b'y' * CHUNK
    sent = 0
    while sent < total:
        n = min(CHUNK, total - sent)
        writer.write(chunk if n == CHUNK else chunk[:n])
        await writer.drain()
        sent += n
    writer.write_eof()
    reply = await reader.read()
    elapsed = time.monotonic() - start
    got = await done
    assert got == total and int(reply) == total, (got, reply, total)
    writer.close()
    server.close()
    return {'bytes': got, 'seconds': elapsed}


def main(argv):
    use_uvloop = '--uvloop' in argv
    args = [a for a in argv if a != '--uvloop']
    if args[:1] == ['rr'] and len(args) == 3:
        coro = round_trips(int(args[1]), float(args[2]))
    elif args[:1] == ['bulk'] and len(args) == 2:
        coro = bulk(int(args[1]))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    if use_uvloop:
        import uvloop
        # uvloop.run() is 0.18's; Debian 12 has 0.17, where the policy is installed instead.
        uvloop.install()
    result = asyncio.run(coro)
    print(json.dumps(result))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
