import asyncio


async def party(b, name):
    try:
        i = await b.wait()
        print(f'{name} passed with {i}')
    except asyncio.BrokenBarrierError as e:
        print(f'{name}: {type(e).__name__}: {e}')


async def main():
    b = asyncio.Barrier(3)
    ts = [asyncio.create_task(party(b, n)) for n in 'ab']
    await asyncio.sleep(0)
    print('n_waiting', b.n_waiting, 'broken', b.broken)
    await b.abort()
    print('aborted: broken', b.broken, 'state', b._state.value, 'n_waiting', b.n_waiting)
    await asyncio.gather(*ts)
    await party(b, 'late')  # a broken barrier refuses newcomers
    print('BrokenBarrierError is a RuntimeError:', issubclass(asyncio.BrokenBarrierError, RuntimeError))

    await b.reset()
    print('after reset: broken', b.broken, 'state', b._state.value)
    ts = [asyncio.create_task(party(b, n)) for n in 'xyz']
    await asyncio.gather(*ts)

    # abort from a failing party (CPython's test_abort_barrier_when_exception)
    b2 = asyncio.Barrier(3)
    results = []

    async def worker(k):
        try:
            if k == 2:
                raise ZeroDivisionError('party 2 failed')
            await b2.wait()
        except ZeroDivisionError as e:
            print(f'worker {k} aborts the barrier: {e}')
            await b2.abort()
        except asyncio.BrokenBarrierError as e:
            results.append(f'{k}:{e}')

    await asyncio.gather(*[worker(k) for k in range(3)])
    print(results, 'broken', b2.broken)


asyncio.run(main())
