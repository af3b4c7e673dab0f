import asyncio


def show(e, indent=''):
    print(f'{indent}{type(e).__name__}: {e}')
    if isinstance(e, BaseExceptionGroup):
        for sub in e.exceptions:
            show(sub, indent + '  ')


async def crash_after(name, t):
    try:
        await asyncio.sleep(t)
    except asyncio.CancelledError:
        print(f'{name} cancelled')
        raise
    print(f'{name} raises')
    raise ValueError(name)


async def inner_block(inner_delay):
    try:
        async with asyncio.TaskGroup() as g2:
            g2.create_task(crash_after('inner-child', inner_delay))
    except BaseException as e:
        print(f'inner block raises {type(e).__name__}')
        raise


async def main():
    # The outer child fails first: the inner group is cancelled; only the outer error.
    try:
        async with asyncio.TaskGroup() as g1:
            g1.create_task(crash_after('outer-child', 0.1))
            await inner_block(1)
    except ExceptionGroup as eg:
        show(eg)

    # The inner child fails first: the inner ExceptionGroup is nested in the outer one.
    try:
        async with asyncio.TaskGroup() as g1:
            g1.create_task(crash_after('outer-child', 1))
            await inner_block(0.1)
    except ExceptionGroup as eg:
        show(eg)
    print('cancelling =', asyncio.current_task().cancelling())


asyncio.run(main())
