import asyncio


def names(tasks):
    return sorted(t.get_name() for t in tasks)


async def job(delay, fail=False):
    await asyncio.sleep(delay)
    if fail:
        raise ValueError(f'failed after {delay}')
    return delay


async def main():
    def make():
        return [asyncio.create_task(job(0.1), name='a'),
                asyncio.create_task(job(0.2, fail=True), name='b'),
                asyncio.create_task(job(0.3), name='c')]

    for mode in (asyncio.FIRST_COMPLETED, asyncio.FIRST_EXCEPTION, asyncio.ALL_COMPLETED):
        tasks = make()
        done, pending = await asyncio.wait(tasks, return_when=mode)
        print(f'{mode}: done {names(done)} pending {names(pending)}')
        if pending:
            await asyncio.wait(pending)
        print('  b exception:', tasks[1].exception())

    # Timeout: returns what is done, raises nothing, cancels nothing.
    tasks = make()
    done, pending = await asyncio.wait(tasks, timeout=0.15)
    print(f'timeout: done {names(done)} pending {names(pending)}; cancelled: {[t.cancelled() for t in tasks]}')
    await asyncio.wait(pending)
    tasks[1].exception()

    # FIRST_EXCEPTION with no failure waits for all; a cancelled task is not an exception.
    t1 = asyncio.create_task(job(0.1), name='x')
    t2 = asyncio.create_task(job(0.2), name='y')
    asyncio.get_running_loop().call_later(0.05, t1.cancel)
    done, pending = await asyncio.wait([t1, t2, t1], return_when=asyncio.FIRST_EXCEPTION)
    print(f'first_exception: done {names(done)} pending {names(pending)}; x cancelled {t1.cancelled()}')

    # Already-done tasks.
    done, pending = await asyncio.wait([t1, t2], return_when=asyncio.FIRST_COMPLETED)
    print(f'already done: done {names(done)} pending {names(pending)}')

    try:
        await asyncio.wait([])
    except ValueError as e:
        print('ValueError:', e)


asyncio.run(main())
