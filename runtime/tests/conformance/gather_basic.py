import asyncio


async def worker(name, delay, fail=False):
    print(f'{name} start')
    await asyncio.sleep(delay)
    if fail:
        raise ValueError(f'{name} failed')
    print(f'{name} end')
    return name.upper()


async def main():
    print(await asyncio.gather(worker('a', 0.2), worker('b', 0.1)))
    res = await asyncio.gather(worker('c', 0.1, fail=True), worker('d', 0.2), return_exceptions=True)
    print([type(r).__name__ + ':' + str(r) if isinstance(r, BaseException) else r for r in res])
    try:
        await asyncio.gather(worker('e', 0.1, fail=True), worker('f', 0.3))
    except ValueError as e:
        print(f'caught {type(e).__name__}: {e}')
    await asyncio.sleep(0.3)
    print('main end')


asyncio.run(main())
