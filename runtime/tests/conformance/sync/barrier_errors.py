import asyncio


async def main():
    for parties in (0, -1):
        try:
            asyncio.Barrier(parties)
        except ValueError as e:
            print(f'Barrier({parties}): {type(e).__name__}: {e}')

    # abort while some parties wait and others are blocked behind a draining barrier
    # (CPython's test_abort_barrier_when_tasks_half_draining_half_blocking)
    b = asyncio.Barrier(3)
    rewait = 1
    log = []

    async def coro(name):
        nonlocal rewait
        try:
            await b.wait()
            if rewait > 0:
                rewait -= 1
                await b.wait()  # waits alone: the abort breaks it
            else:
                await b.abort()
                log.append(f'{name} aborted')
        except asyncio.BrokenBarrierError as e:
            log.append(f'{name}: {e}')
        try:
            await b.wait()
        except asyncio.BrokenBarrierError as e:
            log.append(f'{name} again: {e}')

    await asyncio.gather(*[coro(x) for x in 'abc'])
    print(log)
    print('broken', b.broken, 'n_waiting', b.n_waiting)


asyncio.run(main())
