import asyncio


async def waiter(ev, name):
    print(f'{name} waits')
    r = await ev.wait()
    print(f'{name} woke: {r}')


async def main():
    ev = asyncio.Event()
    print('is_set', ev.is_set())
    t1 = asyncio.create_task(waiter(ev, 'w1'))
    t2 = asyncio.create_task(waiter(ev, 'w2'))
    await asyncio.sleep(0)
    t3 = asyncio.create_task(waiter(ev, 'w3'))
    print('set')
    ev.set()
    print('is_set', ev.is_set())
    await asyncio.sleep(0)
    print('after one pass', t1.done(), t2.done(), t3.done())
    print('wait on a set event:', await ev.wait())
    ev.clear()
    print('is_set after clear', ev.is_set())
    t4 = asyncio.create_task(waiter(ev, 'w4'))
    await asyncio.sleep(0)
    # set then clear at once: the waiter was woken and still returns True
    ev.set()
    ev.clear()
    ev.set()
    ev.set()
    ev.clear()
    await asyncio.sleep(0)
    print('w4 done', t4.done(), 'is_set', ev.is_set())
    await asyncio.gather(t1, t2, t3, t4)
    print('end')


asyncio.run(main())
