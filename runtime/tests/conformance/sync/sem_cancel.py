import asyncio


async def acquirer(sem, name):
    try:
        await sem.acquire()
    except asyncio.CancelledError:
        print(f'{name} cancelled, value={sem._value} locked={sem.locked()}')
        raise
    print(f'{name} acquired, value={sem._value}')


async def before_awoken():
    # CPython's test_acquire_cancel_before_awoken
    sem = asyncio.Semaphore(0)
    ts = [asyncio.create_task(acquirer(sem, f't{i}')) for i in range(1, 5)]
    await asyncio.sleep(0)
    ts[0].cancel()
    ts[1].cancel()
    sem.release()
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    print('done', [t.done() for t in ts], 'value', sem._value)
    ts[2].cancel()
    ts[3].cancel()
    await asyncio.sleep(0)
    print('all done', [t.done() for t in ts])


async def after_awoken():
    # CPython's test_acquire_hang: t1 is woken, then cancelled before it runs;
    # its unit goes to t2.
    sem = asyncio.Semaphore(0)
    t1 = asyncio.create_task(acquirer(sem, 't1'))
    t2 = asyncio.create_task(acquirer(sem, 't2'))
    await asyncio.sleep(0)
    sem.release()
    print('released: value', sem._value)
    t1.cancel()
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    print('locked', sem.locked(), 't2 done', t2.done(), 'value', sem._value)


async def release_between():
    # CPython's test_acquire_no_hang: c2 is cancelled after c1 released; no unit leaks.
    sem = asyncio.Semaphore(1)

    async def c1():
        async with sem:
            print('c1 in')
            await asyncio.sleep(0)
        print('c1 out; cancelling c2')
        t2.cancel()

    async def c2():
        async with sem:
            print('c2 must not get here')

    t1 = asyncio.create_task(c1())
    t2 = asyncio.create_task(c2())
    r1, r2 = await asyncio.gather(t1, t2, return_exceptions=True)
    print('results', type(r1).__name__, type(r2).__name__, 'value', sem._value, 'locked', sem.locked())
    await sem.acquire()
    print('acquired after all, value', sem._value)


async def main():
    await before_awoken()
    await after_awoken()
    await release_between()


asyncio.run(main())
