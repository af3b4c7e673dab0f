import asyncio


async def main():
    sem = asyncio.BoundedSemaphore(2)
    try:
        sem.release()
    except ValueError as e:
        print(f'{type(e).__name__}: {e}; value {sem._value}')
    await sem.acquire()
    await sem.acquire()
    print('locked', sem.locked())

    async def waiter(name):
        try:
            async with sem:
                print(f'{name} in, value {sem._value}')
                await asyncio.sleep(0)
        except asyncio.CancelledError:
            print(f'{name} cancelled, value {sem._value}')
            raise
        print(f'{name} out, value {sem._value}')

    w1 = asyncio.create_task(waiter('w1'))
    w2 = asyncio.create_task(waiter('w2'))
    await asyncio.sleep(0)
    sem.release()  # wakes w1 ...
    w1.cancel()    # ... which gives the unit back and passes it to w2
    sem.release()
    print('after two releases, value', sem._value)
    try:
        sem.release()
    except ValueError as e:
        print(f'third release: {type(e).__name__}: {e}')
    res = await asyncio.gather(w1, w2, return_exceptions=True)
    print([type(r).__name__ for r in res], 'value', sem._value, 'locked', sem.locked())

    # an exception inside `async with` gives the unit back
    try:
        async with sem:
            raise KeyError('k')
    except KeyError:
        print('KeyError passed through, value', sem._value)
    try:
        asyncio.BoundedSemaphore(-1)
    except ValueError as e:
        print(f'{type(e).__name__}: {e}')


asyncio.run(main())
