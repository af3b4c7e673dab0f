import asyncio


async def worker(lock, name, rounds):
    for i in range(rounds):
        print(f'{name} wants')
        async with lock:
            print(f'{name} holds {i}')
            await asyncio.sleep(0)
            await asyncio.sleep(0)
        print(f'{name} released')


async def main():
    lock = asyncio.Lock()
    print('locked', lock.locked())
    tasks = [asyncio.create_task(worker(lock, n, 2)) for n in 'abc']
    await asyncio.sleep(0)
    print('locked', lock.locked(), 'waiters', len(lock._waiters))
    await asyncio.gather(*tasks)
    print('locked', lock.locked(), 'waiters', len(lock._waiters))
    print('acquire returns', await lock.acquire())
    lock.release()


asyncio.run(main())
