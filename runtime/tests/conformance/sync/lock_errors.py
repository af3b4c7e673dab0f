import asyncio


async def main():
    lock = asyncio.Lock()
    try:
        lock.release()
    except RuntimeError as e:
        print(f'{type(e).__name__}: {e}')

    # an exception inside `async with` releases the lock and propagates
    try:
        async with lock:
            print('inside, locked', lock.locked())
            raise ValueError('boom')
    except ValueError as e:
        print(f'caught {type(e).__name__}: {e}; locked {lock.locked()}')

    # the lock has no owner: another task may release it
    gate = asyncio.Event()

    async def holder():
        await lock.acquire()
        print('holder acquired')
        await gate.wait()
        print('holder done, locked', lock.locked())

    h = asyncio.create_task(holder())
    await asyncio.sleep(0)
    lock.release()
    print('main released the holder\'s lock; locked', lock.locked())
    await lock.acquire()
    print('main acquired')
    gate.set()
    await h
    lock.release()
    try:
        lock.release()
    except RuntimeError as e:
        print(f'again {type(e).__name__}: {e}')


asyncio.run(main())
