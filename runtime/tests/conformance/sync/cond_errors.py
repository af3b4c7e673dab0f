import asyncio


async def main():
    cond = asyncio.Condition()
    for name, call in [('notify', lambda: cond.notify()), ('notify_all', cond.notify_all)]:
        try:
            call()
        except RuntimeError as e:
            print(f'{name}: {type(e).__name__}: {e}')
    try:
        await cond.wait()
    except RuntimeError as e:
        print(f'wait: {type(e).__name__}: {e}')

    # a Condition over an existing lock shares it
    lock = asyncio.Lock()
    shared = asyncio.Condition(lock)
    async with lock:
        print('shared locked', shared.locked())
        shared.notify()
    async with shared:
        print('lock locked', lock.locked())
    print('both free', lock.locked(), shared.locked())

    # the lock is released while waiting: another task can take it
    async def waiter():
        async with shared:
            print('waiter waits')
            await shared.wait()
            print('waiter woke')

    t = asyncio.create_task(waiter())
    await asyncio.sleep(0)
    print('lock free while waiting', not lock.locked())
    async with lock:
        shared.notify()
        print('notified')
    await t
    # an exception inside `async with` releases the lock
    try:
        async with shared:
            raise ZeroDivisionError('oops')
    except ZeroDivisionError:
        print('released after exception', not shared.locked())


asyncio.run(main())
