import asyncio
import socket


async def main():
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo('localhost', 8080, type=socket.SOCK_STREAM)
    seen = sorted({(socket.AddressFamily(f).name, addr[0], addr[1]) for f, t, p, c, addr in infos})
    print('localhost:', seen)
    print('all stream sockets:', all(t == socket.SOCK_STREAM for f, t, p, c, addr in infos))
    infos = await loop.getaddrinfo('127.0.0.1', 'http', type=socket.SOCK_STREAM)
    print('service name:', [addr for f, t, p, c, addr in infos])
    infos = await loop.getaddrinfo('::1', 0, family=socket.AF_INET6, type=socket.SOCK_STREAM)
    print('v6 literal:', [addr[:2] for f, t, p, c, addr in infos])
    try:
        await loop.getaddrinfo('not a numeric host', 80, flags=socket.AI_NUMERICHOST)
    except socket.gaierror as e:
        print(f'{type(e).__name__}: {e}', '(errno is EAI_NONAME:', e.errno == socket.EAI_NONAME, end=')\n')
    try:
        await loop.getaddrinfo('127.0.0.1', 'no-such-service', type=socket.SOCK_STREAM)
    except socket.gaierror as e:
        print(f'{type(e).__name__}: {e}')


asyncio.run(main())
