# Cancelling a task iterating a generator while the generator awaits: CancelledError reaches
# the generator's await, its except and finally run, then the consumer's.
import asyncio


async def slow():
    try:
        i = 0
        while True:
            await asyncio.sleep(0.1)
            yield i
            i += 1
    except asyncio.CancelledError:
        print('gen cancelled')
        raise
    finally:
        print('gen finally')


async def consumer():
    try:
        async for v in slow():
            print('got', v)
    except asyncio.CancelledError:
        print('consumer cancelled')
        raise


async def main():
    t = asyncio.create_task(consumer())
    await asyncio.sleep(0.25)
    t.cancel()
    try:
        await t
    except asyncio.CancelledError:
        print('main saw cancelled', t.cancelled())


asyncio.run(main())
