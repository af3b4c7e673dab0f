import asyncio


async def slow_to_die(name, cleanup):
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        print(f'{name} cancelled, cleanup takes {cleanup}')
    await asyncio.sleep(cleanup)
    print(f'{name} cleanup done')
    raise asyncio.CancelledError()


async def runner():
    me = asyncio.current_task()
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(slow_to_die('c1', 0.3))
            print('body done')
    except asyncio.CancelledError:
        print('runner: CancelledError, cancelling =', me.cancelling())
        raise


async def main():
    r = asyncio.create_task(runner())
    await asyncio.sleep(0.1)
    print('first cancel')
    r.cancel()
    await asyncio.sleep(0.1)
    print('second cancel, runner still waiting for its child')
    r.cancel()
    try:
        await r
    except asyncio.CancelledError:
        print('main: runner cancelled:', r.cancelled())


asyncio.run(main())
