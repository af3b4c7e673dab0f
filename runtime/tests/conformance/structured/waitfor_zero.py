import asyncio


async def main():
    loop = asyncio.get_running_loop()
    started = []

    async def never_started():
        started.append('never_started')
        return 'x'

    # timeout <= 0 with a coroutine: wrapped in a task that is cancelled before it starts.
    for timeout in (0, -1):
        try:
            await asyncio.wait_for(never_started(), timeout)
        except TimeoutError:
            print(f'timeout {timeout}: TimeoutError; started: {started}')

    # A future already done: its result.
    fut = loop.create_future()
    fut.set_result('done')
    print('done future:', await asyncio.wait_for(fut, 0))

    # A running task: cancelled, and waited for until its cleanup finished.
    async def slow_cleanup():
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            print('slow_cleanup: cancelled, cleaning up')
            await asyncio.sleep(0.1)
            print('slow_cleanup: cleanup done')
            raise
    t = asyncio.create_task(slow_cleanup())
    await asyncio.sleep(0.1)
    try:
        await asyncio.wait_for(t, 0)
    except TimeoutError:
        print('task: TimeoutError; cancelled:', t.cancelled())

    # A task that swallows its cancellation: its value is returned.
    async def stubborn():
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            pass
        return 'stubborn value'
    t = asyncio.create_task(stubborn())
    await asyncio.sleep(0)
    print('stubborn:', await asyncio.wait_for(t, 0))

    # A task that fails during its cancellation: that exception.
    async def bad():
        try:
            await asyncio.sleep(10)
        finally:
            raise ValueError('cleanup failed')
    t = asyncio.create_task(bad())
    await asyncio.sleep(0)
    try:
        await asyncio.wait_for(t, 0)
    except ValueError as e:
        print('ValueError:', e)
    print('tasks so far:', asyncio.current_task().get_name(), t.get_name())


asyncio.run(main())
