import asyncio


async def waiter(cond, name):
    async with cond:
        print(f'{name} waits')
        try:
            await cond.wait()
            print(f'{name} woke')
        except asyncio.CancelledError:
            print(f'{name} cancelled, locked={cond.locked()}')
            raise


async def main():
    cond = asyncio.Condition()

    # bpo-32841: notified, blocked re-acquiring the lock, then cancelled
    w = asyncio.create_task(waiter(cond, 'w'))
    await asyncio.sleep(0)
    await cond.acquire()
    cond.notify()
    await asyncio.sleep(0)  # w gets to acquire()
    w.cancel()
    await asyncio.sleep(0)
    cond.release()
    await asyncio.sleep(0)
    print('w cancelled', w.cancelled(), 'locked', cond.locked())

    # notified, then cancelled before it runs: in 3.12 the notification is not passed on
    x = asyncio.create_task(waiter(cond, 'x'))
    y = asyncio.create_task(waiter(cond, 'y'))
    await asyncio.sleep(0)
    async with cond:
        cond.notify(1)
    x.cancel()
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    print('x cancelled', x.cancelled(), 'y still waiting', not y.done(), 'waiters', len(cond._waiters))
    async with cond:
        cond.notify()
    await y

    # notify and cancel queued in the same pass as the release (test_wait_cancel_contested)
    z = asyncio.create_task(waiter(cond, 'z'))
    await asyncio.sleep(0)
    await cond.acquire()
    cond.notify()
    loop = asyncio.get_running_loop()
    loop.call_soon(z.cancel)
    loop.call_soon(cond.release)
    try:
        await z
        print('z finished normally')
    except asyncio.CancelledError:
        print('z was cancelled')
    print('end locked', cond.locked())


asyncio.run(main())
