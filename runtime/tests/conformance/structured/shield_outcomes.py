import asyncio


async def main():
    loop = asyncio.get_running_loop()

    # The inner task fails: the awaiter gets its exception.
    async def fails():
        await asyncio.sleep(0.1)
        raise ValueError('inner failed')
    try:
        await asyncio.shield(fails())
    except ValueError as e:
        print('ValueError:', e)

    # The inner task is cancelled by someone else: the awaiter sees CancelledError.
    async def long():
        await asyncio.sleep(10)
    inner = asyncio.create_task(long())
    loop.call_later(0.1, inner.cancel)
    try:
        await asyncio.shield(inner)
    except asyncio.CancelledError:
        print('CancelledError; current task cancelling:', asyncio.current_task().cancelling())

    # Already done: the outcome at once.
    async def quick():
        return 'quick'
    t = asyncio.create_task(quick())
    await asyncio.sleep(0)
    print('done task:', await asyncio.shield(t))

    # A plain future.
    fut = loop.create_future()
    loop.call_later(0.1, fut.set_result, 7)
    print('future:', await asyncio.shield(fut))

    # The awaiter is cancelled, then the inner task fails: nothing is raised in the awaiter
    # beyond its CancelledError, and the inner exception stays in the task.
    async def fails_later():
        await asyncio.sleep(0.2)
        raise LookupError('late failure')
    inner = asyncio.create_task(fails_later())

    async def awaiter():
        await asyncio.shield(inner)
    a = asyncio.create_task(awaiter())
    await asyncio.sleep(0.1)
    a.cancel()
    await asyncio.gather(a, return_exceptions=True)
    print('awaiter cancelled:', a.cancelled())
    try:
        await inner
    except LookupError as e:
        print('inner raised later: LookupError:', e)


asyncio.run(main())
