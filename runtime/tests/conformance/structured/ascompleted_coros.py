import asyncio


async def job(name, delay):
    print(f'{name} starts in {asyncio.current_task().get_name()}')
    try:
        await asyncio.sleep(delay)
    except asyncio.CancelledError:
        print(f'{name} cancelled')
        raise
    return name


async def main():
    # Coroutines are wrapped in tasks (here one coroutine, so the order of wrapping is fixed).
    for next_done in asyncio.as_completed([job('only', 0.1)]):
        print('got', await next_done)

    # Tasks; one is cancelled by someone else: its await raises CancelledError.
    a = asyncio.create_task(job('a', 0.2), name='A')
    b = asyncio.create_task(job('b', 0.5), name='B')
    asyncio.get_running_loop().call_later(0.1, b.cancel)
    for next_done in asyncio.as_completed([a, b]):
        try:
            print('got', await next_done)
        except asyncio.CancelledError:
            print('CancelledError from a cancelled task')

    # Two tasks await the coroutines of one as_completed concurrently.
    its = list(asyncio.as_completed([asyncio.create_task(job('x', 0.2), name='X'),
                                     asyncio.create_task(job('y', 0.1), name='Y')]))

    async def consumer(name, aw):
        print(f'{name} got', await aw)
    await asyncio.gather(consumer('c1', its[0]), consumer('c2', its[1]))

    # Empty input: nothing to iterate.
    print('empty:', len(list(asyncio.as_completed([]))))


asyncio.run(main())
