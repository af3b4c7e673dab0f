import asyncio


async def producer(q, items):
    for i in items:
        print(f'put {i}? full={q.full()}')
        await q.put(i)
        print(f'put {i} done, qsize={q.qsize()}')


async def consumer(q, n):
    got = []
    for _ in range(n):
        got.append(await q.get())
        print(f'got {got[-1]}, qsize={q.qsize()}')
        await asyncio.sleep(0)
    return got


async def main():
    q = asyncio.Queue(2)
    print('maxsize', q.maxsize, 'empty', q.empty(), 'full', q.full(), 'qsize', q.qsize())
    p = asyncio.create_task(producer(q, range(5)))
    c = asyncio.create_task(consumer(q, 5))
    await p
    print('consumer got', await c)

    # several blocked putters are served in order as slots free up
    q1 = asyncio.Queue(1)
    q1.put_nowait('x')
    ps = [asyncio.create_task(q1.put(v)) for v in 'abc']
    await asyncio.sleep(0)
    print('putters waiting', len(q1._putters))
    out = []
    for _ in range(4):
        out.append(await q1.get())
        await asyncio.sleep(0)
    print('order', out, 'all put', all(t.done() for t in ps))

    # several blocked getters are served in order as items arrive
    q2 = asyncio.Queue()
    gs = [asyncio.create_task(q2.get()) for _ in range(3)]
    await asyncio.sleep(0)
    print('getters waiting', len(q2._getters))
    for v in (10, 20, 30):
        await q2.put(v)
    print('results', await asyncio.gather(*gs))

    # unbounded queues and a non-positive maxsize are never full
    for m in (0, -1):
        u = asyncio.Queue(m)
        for v in range(100):
            u.put_nowait(v)
        print(f'maxsize {m}: full {u.full()} qsize {u.qsize()}')


asyncio.run(main())
