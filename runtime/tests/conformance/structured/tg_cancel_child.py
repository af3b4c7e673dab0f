import asyncio


async def worker(name, delay, result):
    try:
        await asyncio.sleep(delay)
    except asyncio.CancelledError:
        print(f'{name} cancelled')
        raise
    print(f'{name} done')
    return result


async def stubborn():
    # Swallows its cancellation and returns a value: not an error for the group.
    try:
        await asyncio.sleep(1)
    except asyncio.CancelledError:
        print('stubborn swallows the cancellation')
    return 'stubborn result'


async def main():
    async with asyncio.TaskGroup() as tg:
        t1 = tg.create_task(worker('w1', 1, 1))
        s = tg.create_task(stubborn())
        await asyncio.sleep(0.1)
        t1.cancel()
        s.cancel()
        t2 = tg.create_task(worker('w2', 0.2, 2))
        print('body end')
    print('w1 cancelled:', t1.cancelled(), '| w2:', t2.result(), '| stubborn:', s.result())
    print('cancelling =', asyncio.current_task().cancelling())


asyncio.run(main())
