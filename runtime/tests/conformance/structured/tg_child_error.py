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


async def sleeper(name, delay):
    try:
        await asyncio.sleep(delay)
        print(f'{name} finished')
    except asyncio.CancelledError:
        print(f'{name} cancelled, cleaning up')
        raise
    finally:
        print(f'{name} finally')


async def main():
    me = asyncio.current_task()
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(failing('f1', 0.1))
            s = tg.create_task(sleeper('s1', 1.0))
            try:
                await asyncio.sleep(2)
                print('body not interrupted')
            except asyncio.CancelledError:
                print('body cancelled; cancelling =', me.cancelling())
                raise
    except ExceptionGroup as eg:
        show(eg)
        print('sleeper cancelled:', s.cancelled())
    print('after: cancelling =', me.cancelling())
    await asyncio.sleep(0.1)
    print('main continues normally')


asyncio.run(main())
