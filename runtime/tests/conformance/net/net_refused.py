import asyncio
import errno
import socket


def closed_port():
    # A port that was just bound and released: nothing listens there.
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


async def main():
    port = closed_port()
    try:
        await asyncio.open_connection('127.0.0.1', port)
    except ConnectionRefusedError as e:
        print(type(e).__name__, e.errno == errno.ECONNREFUSED)
        print(str(e).replace(str(port), 'PORT'))
        print('is a ConnectionError:', isinstance(e, ConnectionError), 'is an OSError:', isinstance(e, OSError))
    loop = asyncio.get_running_loop()
    try:
        await loop.create_connection(asyncio.Protocol, '127.0.0.1', port)
    except OSError as e:
        print('create_connection:', type(e).__name__, str(e).replace(str(port), 'PORT'))


asyncio.run(main())
