import asyncio


def show(e, indent=''):
    print(f'{indent}{type(e).__name__}: {e}')
    if isinstance(e, BaseExceptionGroup):
        for sub in e.exceptions:
            show(sub, indent + '  ')


async def failing(name, delay):
    await asyncio.sleep(delay)
    print(f'{name} raises')
    raise ValueError(f'{name} failed')


async def slow_cleanup(name, cleanup):
    try:
        await asyncio.sleep(5)
    except asyncio.CancelledError:
        await asyncio.sleep(cleanup)
        print(f'{name} cleanup raises')
        raise RuntimeError(f'{name} cleanup failed')


async def quiet_cancel(name):
    try:
        await asyncio.sleep(5)
    except asyncio.CancelledError:
        print(f'{name} cancelled quietly')
        raise


async def main():
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(slow_cleanup('s2', 0.2))
            tg.create_task(failing('f1', 0.1))
            tg.create_task(slow_cleanup('s1', 0.1))
            tg.create_task(failing('f2', 0.3))
            print('body waits')
    except ExceptionGroup as eg:
        show(eg)
        print('messages:', [str(e) for e in eg.exceptions])

    # Two children failing in the same loop pass are both reported, in completion order.
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(failing('g1', 0.1))
            tg.create_task(failing('g2', 0.1))
            tg.create_task(quiet_cancel('q'))
    except ExceptionGroup as eg:
        show(eg)


asyncio.run(main())
