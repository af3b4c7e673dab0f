import asyncio


async def serve(reader, writer, log):
    log.append('connected')
    await reader.read()  # until the client closes its side
    log.append('client gone')
    writer.close()
    await writer.wait_closed()


async def main():
    log = []
    server = await asyncio.start_server(lambda r, w: serve(r, w, log), '127.0.0.1', 0)
    port = server.sockets[0].getsockname()[1]
    clients = [await asyncio.open_connection('127.0.0.1', port) for _ in range(2)]
    await asyncio.sleep(0.1)
    print('handlers running:', log)
    server.close()
    print('is_serving after close():', server.is_serving())
    try:
        await asyncio.open_connection('127.0.0.1', port)
        print('a new client connected')
    except ConnectionRefusedError:
        print('a new client is refused')
    waiter = asyncio.create_task(server.wait_closed())
    await asyncio.sleep(0.2)
    print('wait_closed done with clients attached:', waiter.done())
    reader, writer = clients[0]
    writer.close()
    await writer.wait_closed()
    await asyncio.sleep(0.2)
    print('after one client left:', waiter.done(), log)
    reader, writer = clients[1]
    writer.close()
    await writer.wait_closed()
    await asyncio.wait_for(waiter, 1.0)
    print('wait_closed returned after the last client:', log)
    await server.wait_closed()
    print('wait_closed again returns at once')


asyncio.run(main())
