import asyncio


async def blocking(name):
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        print(f'{name} cancelled')
        raise


async def main():
    # Cancelling the task that waits cancels the awaited task too (with or without timeout).
    for timeout in (None, 5):
        inner = asyncio.create_task(blocking(f'inner(timeout={timeout})'))
        waiter = asyncio.create_task(asyncio.wait_for(inner, timeout))
        await asyncio.sleep(0.1)
        waiter.cancel()
        try:
            await waiter
        except asyncio.CancelledError:
            print('waiter cancelled:', waiter.cancelled(), '| inner cancelled:', inner.cancelled())

    # The awaited coroutine swallows the timeout's cancellation and returns a value.
    async def return_42():
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            print('return_42 swallows the cancellation')
            return 42
    print('value:', await asyncio.wait_for(return_42(), 0.1))

    # The awaited task raises during its cancellation: that exception, not TimeoutError.
    async def inner_fails():
        try:
            await asyncio.sleep(0.3)
        finally:
            raise LookupError('inner cleanup failed')
    t = asyncio.create_task(inner_fails())
    try:
        await asyncio.wait_for(t, 0.1)
    except LookupError as e:
        print('LookupError:', e)

    # wait_for finishes in the same pass as the cancel request: the result is dropped,
    # CancelledError wins.
    async def inner():
        return 'done'
    inner_task = asyncio.create_task(inner())

    async def wait_then_sleep():
        await asyncio.wait_for(inner_task, 100)
        await asyncio.sleep(1)
        print('not reached')
    task = asyncio.create_task(wait_then_sleep())
    await asyncio.sleep(0)
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        print('waiter cancelled; inner result:', await inner_task)


asyncio.run(main())
