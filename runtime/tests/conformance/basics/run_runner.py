import asyncio


async def leftover(tag):
    try:
        print(f'{tag} started')
        await asyncio.sleep(10)
        print(f'{tag} never')
    except asyncio.CancelledError:
        print(f'{tag} cancelled by the cleanup')
        raise
    finally:
        print(f'{tag} cleanup')


async def answer():
    asyncio.create_task(leftover('left1'))
    await asyncio.sleep(0.1)
    return 42


async def fails():
    await asyncio.sleep(0.1)
    raise ValueError('main failed')


async def nested():
    coro = answer()
    try:
        asyncio.run(coro)
    except RuntimeError as e:
        print(f'nested: {type(e).__name__}')
    finally:
        coro.close()
    return 'outer ok'


async def counter(n):
    await asyncio.sleep(0.1)
    return n + 1


print(f'run -> {asyncio.run(answer())}')
try:
    asyncio.run(fails())
except ValueError as e:
    print(f'run raised {type(e).__name__}: {e}')
print(f'run -> {asyncio.run(nested())}')
with asyncio.Runner() as runner:
    a = runner.run(counter(1))
    b = runner.run(counter(a))
    print(f'runner: {a} then {b}, same loop: {runner.get_loop() is runner.get_loop()}')
print('end')
