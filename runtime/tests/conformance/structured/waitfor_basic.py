import asyncio


async def work(name, delay, result):
    print(f'{name} runs in {asyncio.current_task().get_name()}')
    try:
        await asyncio.sleep(delay)
    except asyncio.CancelledError:
        print(f'{name} cancelled')
        raise
    finally:
        print(f'{name} cleanup')
    return result


async def main():
    loop = asyncio.get_running_loop()
    # A coroutine runs inline, in the calling task.
    print('result:', await asyncio.wait_for(work('c1', 0.1, 1), 1))
    try:
        await asyncio.wait_for(work('c2', 1, 2), 0.1)
    except TimeoutError as e:
        print(f'c2: TimeoutError {str(e)!r}')

    # A task is cancelled at the deadline, and waited for.
    t = asyncio.create_task(work('t1', 1, 3), name='t1')
    try:
        await asyncio.wait_for(t, 0.1)
    except TimeoutError:
        print('t1: TimeoutError; task cancelled:', t.cancelled())

    # No timeout.
    print('result:', await asyncio.wait_for(work('c3', 0.1, 4), None))

    # A future set by a callback.
    fut = loop.create_future()
    loop.call_later(0.1, fut.set_result, 'from callback')
    print('future:', await asyncio.wait_for(fut, 0.5))
    fut = loop.create_future()
    try:
        await asyncio.wait_for(fut, 0.1)
    except TimeoutError:
        print('future timed out; cancelled:', fut.cancelled())

    # An exception passes through.
    async def fail():
        await asyncio.sleep(0.1)
        raise ValueError('bad')
    try:
        await asyncio.wait_for(fail(), 1)
    except ValueError as e:
        print('ValueError:', e)
    print('cancelling:', asyncio.current_task().cancelling())


asyncio.run(main())
