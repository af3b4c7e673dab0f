import asyncio
import socket


async def main():
    loop = asyncio.get_running_loop()
    a, b = socket.socketpair()
    a.setblocking(False)
    b.setblocking(False)
    got = asyncio.Queue()

    def on_readable():
        data = b.recv(100)
        got.put_nowait(data)

    loop.add_reader(b.fileno(), on_readable)
    a.send(b'one')
    print('callback read:', await got.get())
    a.send(b'two')
    print('callback read:', await got.get())
    print('remove_reader:', loop.remove_reader(b.fileno()))
    print('remove_reader again:', loop.remove_reader(b.fileno()))
    a.send(b'three')
    await asyncio.sleep(0.1)
    print('no callback after removal:', got.empty())
    print('the data waits in the socket:', b.recv(100))

    writable = loop.create_future()
    loop.add_writer(a.fileno(), lambda: writable.done() or writable.set_result('writable'))
    print('writer callback:', await writable)
    print('remove_writer:', loop.remove_writer(a.fileno()))

    a.close()
    eof = loop.create_future()
    loop.add_reader(b.fileno(), lambda: eof.done() or eof.set_result(b.recv(100)))
    print('readable at EOF, recv gives:', await eof)
    loop.remove_reader(b.fileno())
    b.close()


asyncio.run(main())
