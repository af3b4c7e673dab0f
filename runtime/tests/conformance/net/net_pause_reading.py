import asyncio


class Collect(asyncio.Protocol):
    def __init__(self):
        self.data = b''
        self.got = asyncio.Event()

    def data_received(self, data):
        self.data += data
        self.got.set()


async def main():
    loop = asyncio.get_running_loop()
    server_transport = loop.create_future()

    class Server(asyncio.Protocol):
        def connection_made(self, transport):
            server_transport.set_result(transport)

    server = await loop.create_server(Server, '127.0.0.1', 0)
    port = server.sockets[0].getsockname()[1]
    transport, proto = await loop.create_connection(Collect, '127.0.0.1', port)
    st = await server_transport
    print('reading at first:', transport.is_reading())
    transport.pause_reading()
    print('after pause_reading:', transport.is_reading())
    transport.pause_reading()  # a second pause is allowed and does nothing
    st.write(b'while paused')
    await asyncio.sleep(0.2)
    print('delivered while paused:', proto.data)
    transport.resume_reading()
    print('after resume_reading:', transport.is_reading())
    await proto.got.wait()
    print('delivered after resume:', proto.data)
    transport.close()
    print('reading after close:', transport.is_reading())
    st.close()
    server.close()
    await server.wait_closed()


asyncio.run(main())
