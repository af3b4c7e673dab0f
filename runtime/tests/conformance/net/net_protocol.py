import asyncio


class EchoServer(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.transport.write(data.upper())

    def eof_received(self):
        self.transport.write(b'[server saw EOF]')
        return False  # the transport closes itself after the buffered data


class Client(asyncio.Protocol):
    def __init__(self, events, done):
        self.events = events
        self.done = done
        self.received = b''

    def connection_made(self, transport):
        self.events.append('connection_made')
        transport.write(b'hello protocol')
        transport.write_eof()

    def data_received(self, data):
        if not self.received:
            self.events.append('data_received')
        self.received += data

    def eof_received(self):
        self.events.append('eof_received')
        return None  # false: close

    def connection_lost(self, exc):
        self.events.append(f'connection_lost({exc!r})')
        self.done.set_result(self.received)


async def main():
    loop = asyncio.get_running_loop()
    server = await loop.create_server(EchoServer, '127.0.0.1', 0)
    port = server.sockets[0].getsockname()[1]
    events = []
    done = loop.create_future()
    transport, protocol = await loop.create_connection(lambda: Client(events, done), '127.0.0.1', port)
    print('connected; protocol is the factory\'s:', isinstance(protocol, Client))
    print('received:', await done)
    print('events:', events)
    print('transport closing:', transport.is_closing())
    server.close()
    await server.wait_closed()


asyncio.run(main())
