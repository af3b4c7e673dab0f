import asyncio


async def reader(q, name):
    try:
        v = await q.get()
    except asyncio.CancelledError:
        print(f'{name} cancelled; qsize={q.qsize()} getters={len(q._getters)}')
        raise
    print(f'{name} got {v}')


async def writer(q, name, v):
    try:
        await q.put(v)
    except asyncio.CancelledError:
        print(f'{name} cancelled; qsize={q.qsize()} putters={len(q._putters)}')
        raise
    print(f'{name} put {v}')


async def main():
    # a woken getter finds the queue empty again (a get_nowait() took the item first): it
    # queues again, at the back, behind the getter that was waiting after it
    q = asyncio.Queue()
    g1 = asyncio.create_task(reader(q, 'g1'))
    g2 = asyncio.create_task(reader(q, 'g2'))
    await asyncio.sleep(0)
    q.put_nowait(1)
    print('stolen', q.get_nowait(), 'getters', len(q._getters))
    await asyncio.sleep(0)
    print('getters', len(q._getters))
    q.put_nowait(2)
    await asyncio.sleep(0)
    q.put_nowait(3)
    await asyncio.gather(g1, g2)

    # twice in a row, then served
    g = asyncio.create_task(reader(q, 'g'))
    await asyncio.sleep(0)
    for k in range(2):
        q.put_nowait(10 + k)
        print('stolen', q.get_nowait())
        await asyncio.sleep(0)
        print('getters', len(q._getters), 'g done', g.done())
    q.put_nowait(12)
    await g

    # woken getter cancelled before it runs: the wake-up goes to the next getter
    g3 = asyncio.create_task(reader(q, 'g3'))
    g4 = asyncio.create_task(reader(q, 'g4'))
    await asyncio.sleep(0)
    q.put_nowait(4)
    g3.cancel()
    res = await asyncio.gather(g3, g4, return_exceptions=True)
    print([type(x).__name__ for x in res], 'qsize', q.qsize())

    # woken getter that found the queue empty again, queued again, then cancelled
    g5 = asyncio.create_task(reader(q, 'g5'))
    await asyncio.sleep(0)
    q.put_nowait(5)
    q.get_nowait()
    await asyncio.sleep(0)
    g5.cancel()
    await asyncio.gather(g5, return_exceptions=True)
    print('getters', len(q._getters))

    # the put twins: a woken putter finds the queue full again (a put_nowait() came first)
    p = asyncio.Queue(1)
    p.put_nowait('x')
    w1 = asyncio.create_task(writer(p, 'w1', 'a'))
    w2 = asyncio.create_task(writer(p, 'w2', 'b'))
    await asyncio.sleep(0)
    print('got', p.get_nowait())
    p.put_nowait('y')
    await asyncio.sleep(0)
    print('putters', len(p._putters))
    for _ in range(3):
        print('got', p.get_nowait())
        await asyncio.sleep(0)
    await asyncio.gather(w1, w2)

    # woken putter cancelled before it runs: the free slot goes to the next putter
    p.put_nowait('z')
    w3 = asyncio.create_task(writer(p, 'w3', 'c'))
    w4 = asyncio.create_task(writer(p, 'w4', 'd'))
    await asyncio.sleep(0)
    print('got', p.get_nowait())
    w3.cancel()
    res = await asyncio.gather(w3, w4, return_exceptions=True)
    print([type(x).__name__ for x in res], 'qsize', p.qsize(), 'got', p.get_nowait())


asyncio.run(main())
