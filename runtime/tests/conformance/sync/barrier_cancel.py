import asyncio


async def party(b, name):
    try:
        i = await b.wait()
        print(f'{name} passed with {i}')
    except asyncio.CancelledError:
        print(f'{name} cancelled; n_waiting={b.n_waiting} state={b._state.value}')
        raise


async def main():
    # CPython's test_filling_tasks_cancel_one: a cancelled party is no longer counted
    b = asyncio.Barrier(3)
    t1 = asyncio.create_task(party(b, 't1'))
    await asyncio.sleep(0)
    t2 = asyncio.create_task(party(b, 't2'))
    await asyncio.sleep(0)
    print('n_waiting', b.n_waiting)
    t1.cancel()
    await asyncio.sleep(0)
    print('n_waiting', b.n_waiting, 't1 cancelled', t1.cancelled())
    t3 = asyncio.create_task(party(b, 't3'))
    await asyncio.sleep(0)
    print('n_waiting', b.n_waiting)
    t4 = asyncio.create_task(party(b, 't4'))
    await asyncio.gather(t2, t3, t4)
    print('n_waiting', b.n_waiting, 'broken', b.broken)

    # a party released by the last arrival but cancelled before it runs: it raises
    # CancelledError, the others pass, and the barrier is ready for the next cycle
    c = asyncio.Barrier(3)
    u1 = asyncio.create_task(party(c, 'u1'))
    u2 = asyncio.create_task(party(c, 'u2'))
    await asyncio.sleep(0)
    u3 = asyncio.create_task(party(c, 'u3'))
    await asyncio.sleep(0)  # u3 trips the barrier, u1 and u2 are notified
    u1.cancel()
    res = await asyncio.gather(u1, u2, u3, return_exceptions=True)
    print([type(r).__name__ for r in res], 'state', c._state.value, 'n_waiting', c.n_waiting)
    v = [asyncio.create_task(party(c, f'v{k}')) for k in range(3)]
    await asyncio.gather(*v)


asyncio.run(main())
