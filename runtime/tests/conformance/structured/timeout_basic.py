import asyncio


async def work(name, delay):
    try:
        await asyncio.sleep(delay)
        print(f'{name} finished')
        return f'{name} result'
    except asyncio.CancelledError:
        print(f'{name} cancelled')
        raise
    finally:
        print(f'{name} cleanup')


async def main():
    loop = asyncio.get_running_loop()
    me = asyncio.current_task()

    # In time: the block's value, not expired.
    async with asyncio.timeout(0.3) as cm:
        r = await work('fast', 0.1)
    print(r, '| expired:', cm.expired(), '| deadline ahead:', 0 < cm.when() - loop.time() < 0.3)

    # Too slow: the block is cancelled, TimeoutError comes out.
    try:
        async with asyncio.timeout(0.1) as cm:
            await work('slow', 1)
            print('not reached')
    except TimeoutError as e:
        print(f'TimeoutError {str(e)!r} cause {type(e.__cause__).__name__}')
    print('expired:', cm.expired(), '| cancelling:', me.cancelling())

    # timeout_at with an absolute deadline.
    deadline = loop.time() + 0.1
    try:
        async with asyncio.timeout_at(deadline) as cm:
            await work('slow2', 1)
    except TimeoutError:
        print('timeout_at fired; when() == deadline:', cm.when() == deadline)

    # A disabled timeout never fires.
    async with asyncio.timeout(None) as cm:
        await work('unbounded', 0.2)
    print('when:', cm.when(), '| expired:', cm.expired())


asyncio.run(main())
