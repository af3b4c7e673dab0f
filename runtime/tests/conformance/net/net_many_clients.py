import asyncio

N = 100


async def serve(reader, writer):
    line = await reader.readline()
    n = int(line)
    await asyncio.sleep(0.01 * (n % 7))
    writer.write(f'{n * n}\n'.encode())
    await writer.drain()
    writer.close()
    await writer.wait_closed()


async def client(port, n, order):
    reader, writer = await asyncio.open_connection('127.0.0.1', port)
    writer.write(f'{n}\n'.encode())
    await writer.drain()
    reply = int(await reader.readline())
    writer.close()
    await writer.wait_closed()
    order.append(n)
    return reply


async def main():
    server = await asyncio.start_server(serve, '127.0.0.1', 0)
    port = server.sockets[0].getsockname()[1]
    order = []
    replies = await asyncio.gather(*(client(port, n, order) for n in range(N)))
    print('replies in argument order:', replies == [n * n for n in range(N)])
    print('clients done:', len(order), 'sum of squares:', sum(replies))
    server.close()
    await server.wait_closed()
    print('server closed')


asyncio.run(main())
