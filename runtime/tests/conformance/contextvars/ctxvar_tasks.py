import asyncio
import contextvars

v = contextvars.ContextVar('v', default='unset')


async def child(name):
    print(f'{name} starts with {v.get()}')
    v.set(name)
    await asyncio.sleep(0.1)
    print(f'{name} still has {v.get()}')
    return v.get()


async def setter(n):
    v.set(f'{v.get()}+{n}')


async def main():
    v.set('main')
    a = asyncio.create_task(child('a'))
    b = asyncio.create_task(child('b'))
    v.set('main2')
    print(f'gathered {await asyncio.gather(a, b)}')
    print(f'main has {v.get()}')
    await asyncio.create_task(child('c'))
    print(f'main after c has {v.get()}')

    ctx = contextvars.Context()
    await asyncio.create_task(setter(1), context=ctx)
    await asyncio.create_task(setter(2), context=ctx)
    print(f'ctx has {ctx[v]}; main has {v.get()}')
    async with asyncio.TaskGroup() as tg:
        tg.create_task(setter(3), context=ctx)
        tg.create_task(child('d'))
    print(f'ctx has {ctx[v]}; main has {v.get()}')

    t = asyncio.create_task(child('e'))
    t.get_context().run(v.set, 'from outside')
    await t
    print(f'e left {t.get_context()[v]}')

    results = await asyncio.gather(*(child(f'g{i}') for i in range(3)))
    print(f'gather of coroutines {results}; main has {v.get()}')


asyncio.run(main())
print(f'after run: {v.get()}')
