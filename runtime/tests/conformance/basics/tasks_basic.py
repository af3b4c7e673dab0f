import asyncio


async def work(tag, delay, fail=False):
    me = asyncio.current_task()
    print(f'{tag} runs as {me.get_name()}')
    await asyncio.sleep(delay)
    if fail:
        raise ValueError(f'{tag} failed')
    return f'{tag} result'


async def main():
    print(f'main is {asyncio.current_task().get_name()}, tasks: {len(asyncio.all_tasks())}')
    a = asyncio.create_task(work('a', 0.3), name='alpha')
    b = asyncio.create_task(work('b', 0.1, fail=True))
    c = asyncio.create_task(work('c', 0.4))
    print(f'created {a.get_name()} {b.get_name()} {c.get_name()}, done={a.done()}, tasks: {len(asyncio.all_tasks())}')
    a.add_done_callback(lambda t: print(f'callback: {t.get_name()} done, result={t.result()}'))
    await asyncio.sleep(0)
    c.set_name('gamma')
    print(f'c renamed {c.get_name()}')
    await asyncio.sleep(0.2)
    print(f'b done={b.done()} exception={type(b.exception()).__name__}: {b.exception()}')
    print(f'c.cancel() -> {c.cancel("enough")}, cancelling={c.cancelling()}')
    try:
        await c
    except asyncio.CancelledError as e:
        print(f'c raised CancelledError: {e}; cancelled={c.cancelled()}')
    print(f'c.cancel() again -> {c.cancel()}')
    print(f'a -> {await a}')
    try:
        a.set_name('x')
        print(b.result())
    except ValueError as e:
        print(f'b.result() raised ValueError: {e}')
    try:
        c.result()
    except asyncio.CancelledError:
        print('c.result() raised CancelledError')
    await asyncio.sleep(0)
    print(f'tasks at the end: {len(asyncio.all_tasks())}')


asyncio.run(main())
