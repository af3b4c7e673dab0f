import asyncio


async def setter(fut, delay, value):
    await asyncio.sleep(delay)
    print(f'setting {value}')
    fut.set_result(value)


async def waiter(tag, fut):
    try:
        v = await fut
        print(f'{tag} got {v}')
    except asyncio.CancelledError:
        print(f'{tag} saw the future cancelled')
    except ValueError as e:
        print(f'{tag} got ValueError: {e}')


async def main():
    loop = asyncio.get_running_loop()
    f = loop.create_future()
    f.add_done_callback(lambda fut: print(f'callback 1: result={fut.result()}'))
    print(f'pending: done={f.done()} cancelled={f.cancelled()}')
    try:
        f.result()
    except asyncio.InvalidStateError as e:
        print(f'result() of a pending future: InvalidStateError: {e}')
    w1 = asyncio.create_task(waiter('w1', f))
    w2 = asyncio.create_task(waiter('w2', f))
    asyncio.create_task(setter(f, 0.1, 'hello'))
    await asyncio.gather(w1, w2)
    f.add_done_callback(lambda fut: print('callback 2 on a done future'))
    try:
        f.set_result('again')
    except asyncio.InvalidStateError:
        print('set_result twice: InvalidStateError')
    print(f'after: result={f.result()} exception={f.exception()}')
    await asyncio.sleep(0)

    g = loop.create_future()
    w3 = asyncio.create_task(waiter('w3', g))
    await asyncio.sleep(0)
    print(f'cancel -> {g.cancel()}, cancelled={g.cancelled()}')
    await w3
    try:
        g.exception()
    except asyncio.CancelledError:
        print('exception() of a cancelled future raises CancelledError')

    h = loop.create_future()
    w4 = asyncio.create_task(waiter('w4', h))
    await asyncio.sleep(0)
    h.set_exception(ValueError('bad value'))
    await w4
    print(f'h.exception(): {type(h.exception()).__name__}: {h.exception()}')
    print(f'cancel a done future -> {h.cancel()}')


asyncio.run(main())
