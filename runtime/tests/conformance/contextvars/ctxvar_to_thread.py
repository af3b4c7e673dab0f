import asyncio
import contextvars
import threading

v = contextvars.ContextVar('v', default='unset')


def in_thread(tag):
    seen = v.get()
    v.set(f'{tag} set in the thread')
    return f'{tag}: thread saw {seen}, then {v.get()}, off loop thread {threading.current_thread() is not threading.main_thread()}'


async def worker(tag, delay):
    v.set(tag)
    await asyncio.sleep(delay)
    r = await asyncio.to_thread(in_thread, tag)
    print(r)
    print(f'{tag}: task still has {v.get()}')


async def main():
    v.set('main')
    print(await asyncio.to_thread(in_thread, 'main'))
    print(f'main still has {v.get()}')
    await asyncio.gather(worker('w1', 0.1), worker('w2', 0.2))
    print(f'main finally has {v.get()}')


asyncio.run(main())
