import asyncio


async def worker(sem, name):
    print(f'{name} wants, locked={sem.locked()}')
    async with sem:
        print(f'{name} in, value={sem._value}')
        await asyncio.sleep(0)
        print(f'{name} out')


async def main():
    sem = asyncio.Semaphore(2)
    tasks = [asyncio.create_task(worker(sem, n)) for n in 'abcde']
    await asyncio.sleep(0)
    print('locked', sem.locked(), 'value', sem._value, 'waiters', len(sem._waiters))
    await asyncio.gather(*tasks)
    print('locked', sem.locked(), 'value', sem._value)
    r1 = await sem.acquire()
    r2 = await sem.acquire()
    print('acquired', r1, r2, 'locked', sem.locked())
    sem.release()
    sem.release()
    sem.release()  # a plain Semaphore may go above its initial value
    print('value after an extra release', sem._value)
    try:
        asyncio.Semaphore(-1)
    except ValueError as e:
        print(f'{type(e).__name__}: {e}')
    print('Semaphore(0) locked', asyncio.Semaphore(0).locked())


asyncio.run(main())
