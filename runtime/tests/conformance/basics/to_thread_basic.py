import asyncio
import threading


def blocking(a, b):
    return a * b


def raising(msg):
    raise ValueError(msg)


def other_thread():
    return threading.current_thread() is not threading.main_thread()


async def ticker():
    for i in range(3):
        await asyncio.sleep(0.2)
        print(f'tick {i}')


async def main():
    t = asyncio.create_task(ticker())
    print(f'product: {await asyncio.to_thread(blocking, 6, 7)}')
    print(f'ran on another thread: {await asyncio.to_thread(other_thread)}')
    try:
        await asyncio.to_thread(raising, 'from the thread')
    except ValueError as e:
        print(f'caught ValueError: {e}')
    r = await asyncio.gather(asyncio.to_thread(blocking, 1, 2), asyncio.to_thread(blocking, 3, 4))
    print(f'gathered: {r}')
    await t
    print('main done')


asyncio.run(main())
