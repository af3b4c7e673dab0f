import asyncio


async def acquirer(lock, name):
    print(f'{name} wants')
    try:
        await lock.acquire()
    except asyncio.CancelledError:
        print(f'{name} cancelled, locked={lock.locked()} waiters={len(lock._waiters)}')
        raise
    print(f'{name} got the lock')
    await asyncio.sleep(0)
    lock.release()
    print(f'{name} released')


async def main():
    lock = asyncio.Lock()
    await lock.acquire()
    b = asyncio.create_task(acquirer(lock, 'b'))
    c = asyncio.create_task(acquirer(lock, 'c'))
    d = asyncio.create_task(acquirer(lock, 'd'))
    await asyncio.sleep(0)
    lock.release()  # wakes b ...
    b.cancel()      # ... which is cancelled before it runs: the wake-up goes on to c
    print('released; locked', lock.locked(), 'waiters', len(lock._waiters))
    await asyncio.sleep(0)
    print('pass 1: locked', lock.locked(), 'waiters', len(lock._waiters))
    # a newcomer while c holds the lock queues behind d
    e = asyncio.create_task(acquirer(lock, 'e'))
    await asyncio.gather(c, d, e)
    print('b cancelled', b.cancelled())

    # cancelled first waiter, then release: a newcomer takes the free lock at once
    await lock.acquire()
    f = asyncio.create_task(acquirer(lock, 'f'))
    await asyncio.sleep(0)
    g = asyncio.create_task(acquirer(lock, 'g'))
    f.cancel()
    lock.release()
    await asyncio.sleep(0)
    print('g holds it:', lock.locked(), 'f cancelled', f.cancelled())
    await g
    print('end locked', lock.locked())


asyncio.run(main())
