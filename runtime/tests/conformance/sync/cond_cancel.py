import asyncio


async def waiter(cond, name):
    async with cond:
        print(f'{name} waits')
        try:
            await cond.wait()
            print(f'{name} woke')
        except asyncio.CancelledError as e:
            print(f'{name} cancelled: "{e!s}", locked={cond.locked()}')
            raise
    print(f'{name} left, locked={cond.locked()}')


async def main():
    cond = asyncio.Condition()

    # 1. cancelled while waiting, lock free: re-acquires, then raises the original error
    a = asyncio.create_task(waiter(cond, 'a'))
    await asyncio.sleep(0)
    a.cancel('stop a')
    try:
        await a
    except asyncio.CancelledError as e:
        print(f'a ended: CancelledError "{e!s}"; waiters {len(cond._waiters)} locked {cond.locked()}')

    # 2. cancelled while waiting, lock held by main: waits for the lock before raising
    b = asyncio.create_task(waiter(cond, 'b'))
    await asyncio.sleep(0)
    await cond.acquire()
    b.cancel('stop b')
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    print('b still blocked:', not b.done(), 'waiters', len(cond._waiters))
    cond.release()
    try:
        await b
    except asyncio.CancelledError as e:
        print(f'b ended: CancelledError "{e!s}"')

    # 3. cancelled again while re-acquiring: keeps trying, then raises a bare CancelledError
    c = asyncio.create_task(waiter(cond, 'c'))
    await asyncio.sleep(0)
    await cond.acquire()
    c.cancel('first')
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    c.cancel('second')
    await asyncio.sleep(0)
    print('c still blocked:', not c.done(), 'lock waiters', len(cond._lock._waiters))
    cond.release()
    try:
        await c
    except asyncio.CancelledError as e:
        print(f'c ended: CancelledError "{e!s}"; locked {cond.locked()}')


asyncio.run(main())
