import asyncio


async def reader(q, name):
    try:
        v = await q.get()
    except asyncio.CancelledError:
        print(f'{name} cancelled; qsize={q.qsize()} getters={len(q._getters)}')
        raise
    print(f'{name} got {v}')
    return v


async def main():
    # cancelled before an item arrives (test_get_cancelled_race)
    q = asyncio.Queue()
    t1 = asyncio.create_task(reader(q, 't1'))
    t2 = asyncio.create_task(reader(q, 't2'))
    await asyncio.sleep(0)
    t1.cancel()
    await asyncio.sleep(0)
    print('t1 done', t1.done(), 'getters', len(q._getters))
    await q.put(97)  # 'a'
    await asyncio.sleep(0)
    print('t2 ->', await t2)

    # woken by put_nowait, cancelled before it runs: the item stays for the next reader
    # (test_get_cancel_drop_one_pending_reader)
    r = asyncio.create_task(reader(q, 'r'))
    await asyncio.sleep(0)
    q.put_nowait(1)
    q.put_nowait(2)
    r.cancel()
    try:
        await r
    except asyncio.CancelledError:
        r = asyncio.create_task(reader(q, 'r again'))
        await r
    print('r result', r.result(), 'qsize', q.qsize())
    q.get_nowait()

    # the woken-but-cancelled reader passes its wake-up to the next one
    # (test_get_cancel_drop_many_pending_readers)
    rs = [asyncio.create_task(reader(q, f'r{k}')) for k in range(1, 4)]
    await asyncio.sleep(0)
    q.put_nowait(1)
    q.put_nowait(2)
    rs[0].cancel()
    res = await asyncio.gather(*rs, return_exceptions=True)
    print([type(x).__name__ if isinstance(x, BaseException) else x for x in res], 'qsize', q.qsize())

    # cancellation message
    m = asyncio.create_task(reader(q, 'm'))
    await asyncio.sleep(0)
    m.cancel('no more')
    try:
        await m
    except asyncio.CancelledError as e:
        print(f'm: CancelledError "{e!s}", getters {len(q._getters)}')


asyncio.run(main())
