import asyncio


async def send_and_close(reader, writer, payload):
    writer.write(payload)
    await writer.drain()
    await reader.readline()  # the client's go-ahead
    writer.write(b'c' * 40)  # no separator, over the limit
    await writer.drain()
    await reader.readline()
    writer.close()
    await writer.wait_closed()


async def main():
    payload = b'short\n' + b'a' * 20 + b'\n' + b'b' * 50 + b'\nafter\n'
    server = await asyncio.start_server(lambda r, w: send_and_close(r, w, payload), '127.0.0.1', 0)
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection('127.0.0.1', port, limit=16)
    print('line:', await reader.readline())
    await asyncio.sleep(0.2)  # everything has arrived: the separator is found beyond the limit
    for _ in range(3):
        try:
            print('line:', await reader.readline())
        except ValueError as e:
            print(f'ValueError: {e}')
    writer.write(b'go\n')
    try:
        print('line:', await reader.readline())
    except ValueError as e:
        print(f'ValueError: {e}')
    print('buffer dropped, at_eof:', reader.at_eof())
    writer.write(b'done\n')
    print('line:', await reader.readline())
    print('at_eof:', reader.at_eof())
    writer.close()
    await writer.wait_closed()
    server.close()
    await server.wait_closed()


asyncio.run(main())
