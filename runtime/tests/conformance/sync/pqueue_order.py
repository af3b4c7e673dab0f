import asyncio


class Job:
    # compared on priority only, so equal priorities come out in heapq's order
    def __init__(self, prio, name):
        self.prio, self.name = prio, name

    def __lt__(self, other):
        return self.prio < other.prio

    def __repr__(self):
        return f'{self.name}:{self.prio}'


async def main():
    q = asyncio.PriorityQueue()
    for i, p in enumerate([5, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 1, 2, 2, 7, 1]):
        q.put_nowait(Job(p, f'j{i}'))
    out = []
    while not q.empty():
        out.append(q.get_nowait())
    print(out)

    # interleaved puts and gets keep the heap's tie order too
    seq = []
    for i, p in enumerate([3, 3, 1, 3, 1, 2, 2, 3]):
        q.put_nowait(Job(p, f'k{i}'))
        if i % 3 == 2:
            seq.append(q.get_nowait())
    while not q.empty():
        seq.append(q.get_nowait())
    print(seq)

    # a bounded priority queue blocks put() like any Queue; getters get the smallest item
    b = asyncio.PriorityQueue(2)

    async def putter(prio, name):
        await b.put(Job(prio, name))
        print(f'put {name}:{prio}')

    ts = [asyncio.create_task(putter(p, n)) for p, n in [(3, 'a'), (1, 'b'), (2, 'c'), (0, 'd')]]
    await asyncio.sleep(0)
    print('qsize', b.qsize(), 'full', b.full())
    got = []
    for _ in range(4):
        got.append(await b.get())
        await asyncio.sleep(0)
    print(got)
    await asyncio.gather(*ts)
    print('plain ints', end=' ')
    for v in [3, 1, 2]:
        await b.put(v) if b.qsize() < 2 else b.get_nowait()
    print(b.get_nowait(), b.qsize())


asyncio.run(main())
