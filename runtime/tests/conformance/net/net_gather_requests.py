import asyncio

# The lesson's gather example, with the three tasks as requests to a local server: each
# request asks the server to work for a while; the third one makes the server answer with an
# error, which the client raises. gather propagates it; run()'s cleanup cancels the rest.


async def serve(reader, writer):
    try:
        duration = float(await reader.readline())
        try:
            await asyncio.sleep(duration)
        except asyncio.CancelledError:
            # run()'s cleanup: the request is dropped. (Returning instead of re-raising keeps
            # 3.12.1's start_server callback from logging the cancelled handler as an error.)
            return
        if duration == 0.2:
            writer.write(b'ERROR the server failed\n')
        else:
            writer.write(b'OK\n')
        await writer.drain()
    finally:
        writer.close()


async def request(port, duration):
    name = asyncio.current_task().get_name()
    print(f'Task {name} sends a request taking {duration} s.')
    reader, writer = await asyncio.open_connection('127.0.0.1', port)
    try:
        writer.write(f'{duration}\n'.encode())
        reply = (await reader.readline()).decode().strip()
        if reply.startswith('ERROR'):
            print(f'Task {name} got an error after {duration} s')
            raise Exception(reply[6:])
        print(f'Task {name} done: {reply}')
    finally:
        writer.close()


async def main():
    server = await asyncio.start_server(serve, '127.0.0.1', 0)
    port = server.sockets[0].getsockname()[1]
    task1 = asyncio.create_task(request(port, 0.3), name='first')
    task2 = asyncio.create_task(request(port, 0.1), name='second')
    task3 = asyncio.create_task(request(port, 0.2), name='third')
    try:
        await asyncio.gather(task1, task2, task3)
    finally:
        print('first still running:', not task1.done())
        server.close()


try:
    asyncio.run(main())
except Exception as e:
    print(f'Raised: {e}')
