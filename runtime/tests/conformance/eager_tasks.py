import asyncio


async def child(tag, yields):
    print(f'{tag}: first step as {asyncio.current_task().get_name()}')
    for i in range(yields):
        await asyncio.sleep(0)
        print(f'{tag}: step {i + 2}')
    return tag


async def quick(v):
    print(f'quick {v} runs')
    return v * 10


async def fails():
    print('fails runs')
    raise ValueError('boom')


async def main():
    loop = asyncio.get_running_loop()
    print(f'main is {asyncio.current_task().get_name()}')
    loop.set_task_factory(asyncio.eager_task_factory)
    a = asyncio.create_task(child('a', 2), name='a')
    print(f'after create a: current={asyncio.current_task().get_name()} a={a.get_name()} done={a.done()}')
    q = asyncio.create_task(quick(4), name='q')
    print(f'q done={q.done()} result={q.result()} pending={len(asyncio.all_tasks())}')
    f = asyncio.create_task(fails(), name='f')
    print(f'f done={f.done()} exc={type(f.exception()).__name__}: {f.exception()}')
    b = asyncio.create_task(child('b', 1), name='b')
    print('main yields')
    await asyncio.sleep(0)
    print('main resumed')
    r = await asyncio.gather(quick(1), quick(2))
    print(f'gather -> {r}')
    loop.call_soon(lambda: print(f'callback task done={asyncio.create_task(quick(7)).done()}'))
    await asyncio.sleep(0)
    print(f'a -> {await a}, b -> {await b}')
    loop.set_task_factory(None)
    c = asyncio.create_task(quick(9), name='c')
    print(f'lazy c done={c.done()}')
    await c
    print('main done')


asyncio.run(main())
