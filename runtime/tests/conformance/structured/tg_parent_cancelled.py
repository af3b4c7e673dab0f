import asyncio


async def child(name, delay):
    try:
        await asyncio.sleep(delay)
        print(f'{name} finished')
    except asyncio.CancelledError as e:
        print(f'{name} cancelled, message {str(e)!r}')
        raise


async def runner():
    me = asyncio.current_task()
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(child('c1', 1))
            try:
                await asyncio.sleep(1)
            except asyncio.CancelledError as e:
                print(f'body cancelled, message {str(e)!r}, cancelling = {me.cancelling()}')
                raise
    except asyncio.CancelledError as e:
        print(f'runner sees CancelledError {str(e)!r}, cancelling = {me.cancelling()}')
        raise


async def runner_waiting_in_exit():
    me = asyncio.current_task()
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(child('c2', 1))
            print('body done, waiting for children')
    except asyncio.CancelledError as e:
        print(f'runner2 sees CancelledError {str(e)!r}, cancelling = {me.cancelling()}')
        raise


async def main():
    r = asyncio.create_task(runner())
    await asyncio.sleep(0.1)
    r.cancel('stop')
    try:
        await r
    except asyncio.CancelledError as e:
        print(f'main: runner cancelled: {r.cancelled()}, message {str(e)!r}')

    r = asyncio.create_task(runner_waiting_in_exit())
    await asyncio.sleep(0.1)
    r.cancel('stop2')
    try:
        await r
    except asyncio.CancelledError as e:
        print(f'main: runner2 cancelled: {r.cancelled()}, message {str(e)!r}')


asyncio.run(main())
