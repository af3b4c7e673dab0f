# asyncio.run's shutdown order with an executor job still running when main returns: the pending
# task is cancelled, the async generator left suspended is closed, then shutdown_default_executor
# waits for the job (well inside its timeout) before the loop closes.
import asyncio
import time


def job():
    time.sleep(0.3)
    print('job done')


async def waiter():
    try:
        await asyncio.sleep(10)
    finally:
        print('waiter cleanup')


async def gen():
    try:
        yield 1
    finally:
        print('gen cleanup')


G = None


async def main():
    global G
    loop = asyncio.get_running_loop()
    asyncio.create_task(waiter())
    loop.run_in_executor(None, job)
    G = gen()
    print(await anext(G))
    print('main end')


asyncio.run(main())
print('after run')
