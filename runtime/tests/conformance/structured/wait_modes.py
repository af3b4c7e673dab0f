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

asyncio.run(main())
