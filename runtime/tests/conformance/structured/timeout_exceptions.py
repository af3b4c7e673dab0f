import asyncio


async def crash_in_cleanup():
    try:
        await asyncio.sleep(1)
    finally:
        print('cleanup raises ValueError')
        raise ValueError('cleanup failed')


async def main():
    me = asyncio.current_task()
    # A foreign exception before the deadline passes through untouched.
    try:
        async with asyncio.timeout(1) as cm:
            raise LookupError('not found')
    except LookupError as e:
        print('LookupError:', e, '| expired:', cm.expired())

    # The deadline passes and the cleanup raises: that exception wins.
    try:
        async with asyncio.timeout(0.1) as cm:
            await crash_in_cleanup()
    except ValueError as e:
        print('ValueError:', e, '| expired:', cm.expired(), '| cancelling:', me.cancelling())

    # The block swallows the CancelledError and returns a value: no TimeoutError.
    async def swallow():
        async with asyncio.timeout(0.1) as cm:
            try:
                await asyncio.sleep(1)
            except asyncio.CancelledError:
                print('swallowed')
            return 'value'
    print('block returned', await swallow(), '| cancelling:', me.cancelling())

    # TimeoutError raised by the block itself is not ours: expired stays False.
    try:
        async with asyncio.timeout(1) as cm:
            raise TimeoutError('my own')
    except TimeoutError as e:
        print(f'TimeoutError {str(e)!r} | expired: {cm.expired()}')


asyncio.run(main())
