# asyncio.run's shutdown and async generators: a local generator dropped when main returns is
# handed to the loop's finalizer (an aclose task that _cancel_all_tasks cancels before its first
# step: CPython throws CancelledError into the generator, whose finally runs up to its first
# await, where the aclose's GeneratorExit ends it); a global one is closed by
# shutdown_asyncgens after the pending tasks were cancelled.
import asyncio


async def gen(name):
    try:
        for i in range(10):
            await asyncio.sleep(0)
            yield i
    finally:
        print(name, 'cleanup start')
        await asyncio.sleep(0)
        print(name, 'cleanup end')


async def other():
    try:
        await asyncio.sleep(10)
    finally:
        print('other task cancelled')


G = None


async def main():
    global G
    asyncio.create_task(other())
    g = gen('local')
    print(await anext(g))
    G = gen('global')
    print(await anext(G))
    await asyncio.sleep(0)
    print('main end')


asyncio.run(main())
print('after run')
