import asyncio

# bpo-32734: the first waiter is cancelled in the same callback that releases the lock.
# Exactly one task gets the lock.


async def main():
    loop = asyncio.get_running_loop()
    lock = asyncio.Lock()
    calls = 0
    taken = []

    async def lockit(name):
        nonlocal calls
        calls += 1
        await lock.acquire()
        taken.append(name)
        print(f'{name} took the lock')

    def trigger():
        print('trigger: cancel t1, release')
        t1.cancel()
        lock.release()

    await lock.acquire()
    t1 = asyncio.create_task(lockit('t1'))
    t2 = asyncio.create_task(lockit('t2'))
    t3 = asyncio.create_task(lockit('t3'))
    await asyncio.sleep(0)
    loop.call_soon(trigger)
    try:
        await t1
    except asyncio.CancelledError:
        print('t1 raised CancelledError')
    print('taken', taken, 'calls', calls)
    print('t1 cancelled', t1.cancelled(), 't2 done', t2.done(), 't3 done', t3.done())
    t3.cancel()
    await asyncio.sleep(0)
    print('t3 cancelled', t3.cancelled(), 'locked', lock.locked(), 'waiters', len(lock._waiters))


asyncio.run(main())
