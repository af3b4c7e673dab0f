import asyncio


async def child(name, delay, result):
    print(f'{name} start')
    await asyncio.sleep(delay)
    print(f'{name} done')
    return result


async def main():
    async with asyncio.TaskGroup() as tg:
        t1 = tg.create_task(child('a', 0.2, 1))
        t2 = tg.create_task(child('b', 0.1, 2), name='bee')
        print('body: created', t1.get_name(), t2.get_name())
        await asyncio.sleep(0.15)
        print('body: b done?', t2.done(), 'a done?', t1.done())
        t3 = tg.create_task(child('c', 0.3, 3))
        print('body: end')
    print('after block:', t1.result(), t2.result(), t3.result())
    print('cancelling:', asyncio.current_task().cancelling())

    # The block waits for children created by other children.
    async def spawner(g):
        await asyncio.sleep(0.1)
        print('spawner: spawning')
        g.create_task(child('d', 0.1, 4))

    async with asyncio.TaskGroup() as tg:
        tg.create_task(spawner(tg))
    print('second block done')


asyncio.run(main())
