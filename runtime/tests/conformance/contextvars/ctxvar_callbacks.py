import asyncio
import contextvars

v = contextvars.ContextVar('v', default='unset')


def show(what):
    print(f'{what}: {v.get()}')


def show_and_set(what):
    show(what)
    v.set(f'set by {what}')


async def main():
    loop = asyncio.get_running_loop()
    ctx = contextvars.Context()
    ctx.run(v.set, 'ctx')
    v.set('before')
    loop.call_soon(show_and_set, 'soon')
    loop.call_soon(show_and_set, 'soon ctx', context=ctx)
    loop.call_later(0.1, show, 'later')
    loop.call_later(0.1, show_and_set, 'later ctx', context=ctx)
    loop.call_at(loop.time() + 0.2, show, 'at')
    loop.call_at(loop.time() + 0.2, show, 'at ctx', context=ctx)
    loop.call_soon_threadsafe(show, 'threadsafe')
    loop.call_soon_threadsafe(show, 'threadsafe ctx', context=ctx)
    v.set('after')
    await asyncio.sleep(0.3)
    print(f'main: {v.get()}; ctx: {ctx[v]}')

    fut = loop.create_future()
    v.set('when added')
    fut.add_done_callback(lambda f: show('future done'))
    fut.add_done_callback(lambda f: show('future done ctx'), context=ctx)

    async def nothing():
        pass

    t = asyncio.create_task(nothing())
    t.add_done_callback(lambda f: show('task done'))
    t.add_done_callback(lambda f: show_and_set('task done ctx'), context=ctx)
    v.set('when done')
    fut.set_result(None)
    await t
    await asyncio.sleep(0)
    print(f'main: {v.get()}; ctx: {ctx[v]}')

    h = loop.call_later(0.1, show, 'cancelled')
    h.cancel()
    await asyncio.sleep(0.2)


asyncio.run(main())
