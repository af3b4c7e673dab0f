import asyncio


def show(e, indent=''):
    print(f'{indent}{type(e).__name__}: {e}')
    if isinstance(e, BaseExceptionGroup):
        for sub in e.exceptions:
            show(sub, indent + '  ')


async def bad_cleanup(name):
    try:
        await asyncio.sleep(10)
    finally:
        print(f'{name} finally raises')
        raise ValueError(f'{name} cleanup')


async def crash_soon():
    await asyncio.sleep(0.3)
    print('crash_soon raises')
    raise RuntimeError('crashed')


async def runner1():
    # The parent is cancelled from outside; a child fails during its cancellation:
    # the error wins over the CancelledError.
    async with asyncio.TaskGroup() as tg:
        tg.create_task(bad_cleanup('b1'))
        await asyncio.sleep(10)


async def runner2():
    # The body, cancelled from outside, keeps running its cleanup while a child crashes.
    async with asyncio.TaskGroup() as tg:
        tg.create_task(crash_soon())
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            print('body cancelled, cleaning up for 0.4 s')
            try:
                await asyncio.sleep(0.4)
            except asyncio.CancelledError:
                print('body cleanup interrupted')
            raise


async def main():
    for runner in (runner1, runner2):
        r = asyncio.create_task(runner())
        await asyncio.sleep(0.1)
        r.cancel()
        try:
            await r
        except ExceptionGroup as eg:
            show(eg)
            print('runner cancelled:', r.cancelled())


asyncio.run(main())
