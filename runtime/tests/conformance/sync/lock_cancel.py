import asyncio


async def holder(lock, name, hold):
    print(f'{name} wants')
    try:
        await lock.acquire()
    except asyncio.CancelledError as e:
        print(f'{name} cancelled while waiting: {e!s} locked={lock.locked()}')
        raise
    try:
        print(f'{name} holds')
        for _ in range(hold):
            await asyncio.sleep(0)
    except asyncio.CancelledError as e:
        print(f'{name} cancelled while holding: {e!s}')
        raise
    finally:
        lock.release()
        print(f'{name} released')
    return name


async def main():
    lock = asyncio.Lock()
    a = asyncio.create_task(holder(lock, 'a', 3))
    b = asyncio.create_task(holder(lock, 'b', 1))
    c = asyncio.create_task(holder(lock, 'c', 1))
    d = asyncio.create_task(holder(lock, 'd', 1))
    await asyncio.sleep(0)
    print('waiters', len(lock._waiters))
    b.cancel('b go away')  # waiting, not woken yet
    await asyncio.sleep(0)
    print('waiters', len(lock._waiters))
    a.cancel('a stop')     # holding: its finally releases, c gets the lock
    res = await asyncio.gather(a, b, c, d, return_exceptions=True)
    print([f'{type(r).__name__}:{r}' for r in res])
    print('locked', lock.locked(), 'waiters', len(lock._waiters))


asyncio.run(main())
