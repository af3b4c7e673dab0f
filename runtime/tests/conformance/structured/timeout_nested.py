import asyncio


async def main():
    loop = asyncio.get_running_loop()
    me = asyncio.current_task()

    # Same deadline: only the outermost timeout raises TimeoutError.
    deadline = loop.time() + 0.1
    try:
        async with asyncio.timeout_at(deadline) as outer:
            try:
                async with asyncio.timeout_at(deadline) as inner:
                    await asyncio.sleep(1)
            except asyncio.CancelledError:
                print('inner block let CancelledError through')
                raise
    except TimeoutError:
        print('outer raised TimeoutError')
    print('expired: outer', outer.expired(), 'inner', inner.expired(), '| cancelling', me.cancelling())

    # The inner timeout is shorter: it raises TimeoutError inside the outer block, which goes on.
    async with asyncio.timeout(0.5) as outer:
        try:
            async with asyncio.timeout(0.1) as inner:
                await asyncio.sleep(1)
        except TimeoutError:
            print('inner TimeoutError caught inside the outer block')
        await asyncio.sleep(0.1)
        print('outer block finished in time')
    print('expired: outer', outer.expired(), 'inner', inner.expired(), '| cancelling', me.cancelling())

    # The outer timeout is shorter: the inner one sees CancelledError, the outer raises.
    try:
        async with asyncio.timeout(0.1) as outer:
            try:
                async with asyncio.timeout(0.5) as inner:
                    await asyncio.sleep(1)
            except asyncio.CancelledError:
                print('inner block: CancelledError')
                raise
    except TimeoutError:
        print('outer TimeoutError')
    print('expired: outer', outer.expired(), 'inner', inner.expired(), '| cancelling', me.cancelling())

    # A timeout inside a finally block of an expired timeout still works.
    try:
        async with asyncio.timeout(0.1):
            try:
                await asyncio.sleep(1)
            finally:
                try:
                    async with asyncio.timeout(0.1):
                        await asyncio.sleep(1)
                except TimeoutError:
                    print('timeout in finally fired')
    except TimeoutError:
        print('outer TimeoutError after finally')


asyncio.run(main())
