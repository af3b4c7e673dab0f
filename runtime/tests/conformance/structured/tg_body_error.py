import asyncio


def show(e, indent=''):
    print(f'{indent}{type(e).__name__}: {e}')
    if isinstance(e, BaseExceptionGroup):
        for sub in e.exceptions:
            show(sub, indent + '  ')


async def sleeper(name, delay):
    try:
        await asyncio.sleep(delay)
        print(f'{name} finished')
    except asyncio.CancelledError:
        print(f'{name} cancelled')
        raise


async def failing(name, delay):
    await asyncio.sleep(delay)
    print(f'{name} raises')
    raise ValueError(f'{name} failed')


async def main():
    # 1. The body raises at once: the children are cancelled before they start.
    try:
        async with asyncio.TaskGroup() as tg:
            t1 = tg.create_task(sleeper('a', 1))
            raise RuntimeError('body failed')
    except ExceptionGroup as eg:
        show(eg)
        print('a cancelled:', t1.cancelled())

    # 2. The body raises after a while.
    try:
        async with asyncio.TaskGroup() as tg:
            t1 = tg.create_task(sleeper('b', 1))
            await asyncio.sleep(0.1)
            print('body raises')
            raise LookupError('k')
    except ExceptionGroup as eg:
        show(eg)

    # 3. A child fails; the body, cancelled, raises something else: both are reported,
    #    the child's error first, and create_task is refused while shutting down.
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(failing('c', 0.1))
            tg.create_task(sleeper('d', 1))
            try:
                await asyncio.sleep(1)
            except asyncio.CancelledError:
                print('body cancelled')
                coro = sleeper('e', 1)
                try:
                    tg.create_task(coro)
                except RuntimeError as e:
                    print('create_task:', e)
                    coro.close()
                raise TypeError('body gave up')
    except ExceptionGroup as eg:
        show(eg)
    print('cancelling =', asyncio.current_task().cancelling())


asyncio.run(main())
