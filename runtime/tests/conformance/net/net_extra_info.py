import asyncio


async def serve(reader, writer, seen):
    seen.set_result((writer.get_extra_info('peername'), writer.get_extra_info('sockname')))
    await reader.read()
    writer.close()
    await writer.wait_closed()


async def main():
    seen = asyncio.get_running_loop().create_future()
    server = await asyncio.start_server(lambda r, w: serve(r, w, seen), '127.0.0.1', 0)
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection('127.0.0.1', port)
    peer, sock = writer.get_extra_info('peername'), writer.get_extra_info('sockname')
    server_peer, server_sock = await seen
    print('client peername host:', peer[0], 'port is the server\'s:', peer[1] == port)
    print('client sockname host:', sock[0], 'port is ephemeral:', sock[1] not in (0, port))
    print('server sees the client as its peer:', server_peer == sock)
    print('server sockname is the client\'s peer:', server_sock == peer)
    print('socket is an int fd:', writer.get_extra_info('socket').fileno() >= 0)
    print('unknown key gives the default:', writer.get_extra_info('no such key', 'default'))
    print('unknown key without a default:', writer.get_extra_info('no such key'))
    writer.close()
    await writer.wait_closed()
    server.close()
    await server.wait_closed()


asyncio.run(main())
