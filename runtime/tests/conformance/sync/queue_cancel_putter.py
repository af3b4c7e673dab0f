import asyncio


async def writer(q, name, v):
    try:
        await q.put(v)
    except asyncio.CancelledError:
        print(f'{name} cancelled; qsize={q.qsize()} putters={len(q._putters)}')
        raise
    print(f'{name} put {v}')


async def main():
    # a putter cancelled while waiting (test_put_cancelled_race)
    q = asyncio.Queue(1)
    a = asyncio.create_task(writer(q, 'a', 'a'))
    b = asyncio.create_task(writer(q, 'b', 'b'))
    c = asyncio.create_task(writer(q, 'c', 'X'))
    await asyncio.sleep(0)
    print('a done', a.done(), 'b done', b.done(), 'putters', len(q._putters))
    c.cancel()
    await asyncio.sleep(0)
    print('c done', c.done(), 'putters', len(q._putters))
    print('get', q.get_nowait())
    await asyncio.sleep(0)
    print('get', q.get_nowait())
    await b

    # woken by get_nowait, cancelled before it runs: nothing is stored, the slot stays free
    # (test_put_cancel_drop, test_cancelled_put_silence_value_error_exception)
    q.put_nowait(1)
    w = asyncio.create_task(writer(q, 'w', 2))
    await asyncio.sleep(0)
    print('get', q.get_nowait())
    w.cancel()
    try:
        await w
    except asyncio.CancelledError:
        w = asyncio.create_task(writer(q, 'w again', 2))
        await w
    print('get', q.get_nowait(), 'qsize', q.qsize())

    # two putters wait; the first one, woken, is cancelled: the wake-up goes to the second
    q.put_nowait(0)
    p1 = asyncio.create_task(writer(q, 'p1', 1))
    p2 = asyncio.create_task(writer(q, 'p2', 2))
    await asyncio.sleep(0)
    q.get_nowait()
    p1.cancel()
    res = await asyncio.gather(p1, p2, return_exceptions=True)
    print([type(x).__name__ for x in res], 'queue', q.get_nowait(), 'putters', len(q._putters))


asyncio.run(main())
