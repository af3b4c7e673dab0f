import asyncio


async def guarded(name, limit, work):
    me = asyncio.current_task()
    try:
        async with asyncio.timeout(limit) as cm:
            try:
                await asyncio.sleep(work)
            except asyncio.CancelledError as e:
                print(f'{name}: block cancelled ({str(e)!r}), cancelling = {me.cancelling()}')
                await asyncio.sleep(0.2)  # slow cleanup
                raise
    except TimeoutError:
        print(f'{name}: TimeoutError')
    except asyncio.CancelledError as e:
        print(f'{name}: CancelledError {str(e)!r} propagates; expired = {cm.expired()}, cancelling = {me.cancelling()}')
        raise


async def main():
    # Cancelled from outside before the deadline: not converted.
    t = asyncio.create_task(guarded('a', 1, 5))
    await asyncio.sleep(0.1)
    t.cancel('outside')
    await asyncio.gather(t, return_exceptions=True)
    print('a cancelled:', t.cancelled())

    # The deadline passes, then a cancel from outside arrives during the cleanup:
    # CancelledError wins over TimeoutError.
    t = asyncio.create_task(guarded('b', 0.1, 5))
    await asyncio.sleep(0.2)
    t.cancel('outside')
    await asyncio.gather(t, return_exceptions=True)
    print('b cancelled:', t.cancelled())

    # The task cancels itself inside the block: CancelledError, not TimeoutError.
    async def self_cancel():
        try:
            async with asyncio.timeout(10) as cm:
                asyncio.current_task().cancel()
                await asyncio.sleep(1)
        except asyncio.CancelledError:
            print('c: CancelledError; expired =', cm.expired())
            raise
    t = asyncio.create_task(self_cancel())
    await asyncio.gather(t, return_exceptions=True)

    # The task was cancelled (and caught it) before entering: the timeout still converts.
    async def after_cancel():
        try:
            asyncio.current_task().cancel()
            await asyncio.sleep(1)
        except asyncio.CancelledError:
            print('d: caught the first cancellation; cancelling =', asyncio.current_task().cancelling())
        try:
            async with asyncio.timeout(0.1):
                await asyncio.sleep(1)
        except TimeoutError:
            print('d: TimeoutError all the same')
    await asyncio.create_task(after_cancel())


asyncio.run(main())
