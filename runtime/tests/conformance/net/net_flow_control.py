import asyncio


class Writer(asyncio.Protocol):
    def __init__(self, events):
        self.events = events

    def pause_writing(self):
        self.events.append('pause_writing')

    def resume_writing(self):
        self.events.append('resume_writing')


async def main():
    loop = asyncio.get_running_loop()
    server_transport = loop.create_future()
    received = []

    class Sink(asyncio.Protocol):
        def connection_made(self, transport):
            transport.pause_reading()  # read nothing until told
            server_transport.set_result(transport)

        def data_received(self, data):
            received.append(len(data))

        # eof_received returns None: the server's side closes itself after the client's close.

    server = await loop.create_server(Sink, '127.0.0.1', 0)
    port = server.sockets[0].getsockname()[1]
    events = []
    transport, _ = await loop.create_connection(lambda: Writer(events), '127.0.0.1', port)
    st = await server_transport
    print('default limits (low, high):', transport.get_write_buffer_limits())
    transport.set_write_buffer_limits(high=4096)
    print('high only:', transport.get_write_buffer_limits())
    transport.set_write_buffer_limits(low=1000)
    print('low only:', transport.get_write_buffer_limits())
    try:
        transport.set_write_buffer_limits(high=10, low=20)
    except ValueError as e:
        print('ValueError:', e)
    transport.set_write_buffer_limits(high=64 * 1024, low=16 * 1024)
    chunk = b'z' * (64 * 1024)
    sent = 0
    while not events and sent < 256 * 1024 * 1024:
        transport.write(chunk)
        sent += len(chunk)
        await asyncio.sleep(0)
    print('events once the kernel buffers filled:', events)
    print('buffered above the high-water mark:', transport.get_write_buffer_size() > 64 * 1024)
    st.resume_reading()
    while 'resume_writing' not in events:
        await asyncio.sleep(0.01)
    print('events after the server read:', events)
    print('buffer at or below the low-water mark:', transport.get_write_buffer_size() <= 16 * 1024)
    transport.close()
    while sum(received) < sent:
        await asyncio.sleep(0.01)
    print('server received everything:', sum(received) == sent)
    server.close()
    await server.wait_closed()


asyncio.run(main())
