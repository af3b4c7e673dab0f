import asyncio
import socket


async def main():
    loop = asyncio.get_running_loop()
    ls = socket.socket()
    ls.setblocking(False)
    ls.bind(('127.0.0.1', 0))
    ls.listen(10)
    addr = ls.getsockname()

    cs = socket.socket()
    cs.setblocking(False)
    accepting = asyncio.create_task(loop.sock_accept(ls))
    await loop.sock_connect(cs, addr)
    conn, peer = await accepting
    print('accepted the client:', peer == cs.getsockname())
    print('accepted socket is non-blocking:', conn.getblocking() is False)

    await loop.sock_sendall(cs, b'ping' * 1000)
    got = b''
    while len(got) < 4000:
        got += await loop.sock_recv(conn, 4096)
    print('server received', len(got), 'bytes, all pings:', got == b'ping' * 1000)

    buf = bytearray(16)
    await loop.sock_sendall(conn, b'pong')
    n = await loop.sock_recv_into(cs, buf)
    print('sock_recv_into:', n, bytes(buf[:n]))

    # A receive waits until data comes.
    receiving = asyncio.create_task(loop.sock_recv(cs, 100))
    await asyncio.sleep(0.1)
    print('receive waiting:', not receiving.done())
    await loop.sock_sendall(conn, b'late')
    print('received:', await receiving)

    conn.close()
    print('at EOF:', await loop.sock_recv(cs, 100))
    cs.close()
    ls.close()


asyncio.run(main())
