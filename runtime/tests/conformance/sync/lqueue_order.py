import asyncio


async def main():
    q = asyncio.LifoQueue()
    for v in [1, 3, 2]:
        await q.put(v)
    print([q.get_nowait() for _ in range(3)])

    # woken getters take from the top of the stack when they run, not what woke them
    gs = [asyncio.create_task(q.get()) for _ in range(2)]
    await asyncio.sleep(0)
    for v in 'abcd':
        q.put_nowait(v)
    print(await asyncio.gather(*gs), 'left', [q.get_nowait() for _ in range(q.qsize())])

    # bounded: put() waits for a slot
    b = asyncio.LifoQueue(2)

    async def putter(v):
        print(f'putting {v}')
        await b.put(v)
        print(f'put {v}')

    ts = [asyncio.create_task(putter(v)) for v in 'xyz']
    await asyncio.sleep(0)
    print('full', b.full(), 'putters', len(b._putters))
    print('get', await b.get())
    await asyncio.sleep(0)
    print('get', await b.get(), 'get', await b.get())
    await asyncio.gather(*ts)
    try:
        b.get_nowait()
    except asyncio.QueueEmpty:
        print('QueueEmpty')


asyncio.run(main())
