import asyncio


async def main():
    n = 3
    b = asyncio.Barrier(n)

    # reset while two parties wait: both get BrokenBarrierError, then meet again with a third
    async def coro1(name):
        try:
            await b.wait()
        except asyncio.BrokenBarrierError as e:
            print(f'{name}: {type(e).__name__}: {e}')
        finally:
            i = await b.wait()
            print(f'{name} passed on the second try with {i}')

    async def coro2():
        i = await b.wait()
        print(f'third passed with {i}')

    ts = [asyncio.create_task(coro1(x)) for x in 'ab']
    await asyncio.sleep(0)
    r = asyncio.create_task(b.reset())
    await asyncio.sleep(0)
    print('state after reset', b._state.value, 'n_waiting', b.n_waiting)
    ts.append(asyncio.create_task(coro2()))
    await asyncio.gather(r, *ts)
    print('state', b._state.value, 'n_waiting', b.n_waiting, 'broken', b.broken)

    # reset by the last task out while the others still drain (test_reset_barrier_while_tasks_draining)
    count = 0
    log = []

    async def coro(name):
        nonlocal count
        await b.wait()
        count += 1
        if count == n:
            await b.reset()
            log.append(f'{name} reset')
            await b.wait()
        else:
            try:
                await b.wait()
                log.append(f'{name} second ok')
            except Exception as e:
                log.append(f'{name} {type(e).__name__}')
        await b.wait()
        log.append(f'{name} third ok')

    await asyncio.gather(*[coro(x) for x in 'xyz'])
    print(log)
    print('state', b._state.value, 'n_waiting', b.n_waiting)

    # reset of an empty barrier just returns it to filling
    e = asyncio.Barrier(1)
    await e.reset()
    print('empty reset', e._state.value)


asyncio.run(main())
