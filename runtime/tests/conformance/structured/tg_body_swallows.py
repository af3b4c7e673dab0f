import asyncio


async def failing():
    await asyncio.sleep(0.1)
    print('child raises')
    raise ValueError('child failed')


async def main():
    me = asyncio.current_task()
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(failing())
            try:
                await asyncio.sleep(1)
            except asyncio.CancelledError:
                print('body swallows the cancellation; cancelling =', me.cancelling())
            await asyncio.sleep(0.1)
            print('body slept again without being interrupted')
    except ExceptionGroup as eg:
        print('ExceptionGroup:', eg, [str(e) for e in eg.exceptions])
    print('cancelling =', me.cancelling())

    # The group returns the body's value when nothing failed.
    async def body_value():
        async with asyncio.TaskGroup() as tg:
            tg.create_task(asyncio.sleep(0.1))
            return 'value'
    print('block result:', await body_value())


asyncio.run(main())
