import asyncio


async def waiter(cond, name):
    async with cond:
        print(f'{name} waits')
        r = await cond.wait()
        print(f'{name} woke: {r}, locked {cond.locked()}')
        await asyncio.sleep(0)
        print(f'{name} leaves')


async def main():
    cond = asyncio.Condition()
    ts = [asyncio.create_task(waiter(cond, n)) for n in 'abcd']
    await asyncio.sleep(0)
    print('locked', cond.locked(), 'waiters', len(cond._waiters))
    async with cond:
        print('notify(1)')
        cond.notify(1)
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    async with cond:
        print('notify(1) then notify(2048)')
        cond.notify(1)
        cond.notify(2048)
        print('waiters while holding', len(cond._waiters))
    await asyncio.gather(*ts)
    print('waiters', len(cond._waiters))

    ts = [asyncio.create_task(waiter(cond, n)) for n in 'xy']
    await asyncio.sleep(0)
    async with cond:
        print('notify_all')
        cond.notify_all()
    await asyncio.gather(*ts)
    async with cond:
        cond.notify()  # nobody waits: a no-op
    print('end locked', cond.locked())


asyncio.run(main())
