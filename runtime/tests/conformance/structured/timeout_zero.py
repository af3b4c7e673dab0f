import asyncio


async def main():
    loop = asyncio.get_running_loop()
    me = asyncio.current_task()
    steps = []

    async def ticker():
        for i in range(3):
            steps.append(f'tick{i}')
            await asyncio.sleep(0)

    for delay in (0, -1):
        t = asyncio.create_task(ticker())
        try:
            async with asyncio.timeout(delay) as cm:
                steps.append('block')
                await asyncio.sleep(0)
                steps.append('not reached')
        except TimeoutError:
            steps.append('TimeoutError')
        print(f'timeout({delay}):', steps, '| expired:', cm.expired(), '| when <= now:', cm.when() <= loop.time())
        await t
        steps.clear()

    # A block that never awaits cannot be interrupted, even with a zero timeout.
    async with asyncio.timeout(0) as cm:
        x = sum(range(10))
    print('no await: result', x, '| expired:', cm.expired())

    # timeout_at in the past, block awaiting a long sleep.
    try:
        async with asyncio.timeout_at(loop.time() - 5) as cm:
            await asyncio.sleep(10)
    except TimeoutError:
        print('timeout_at(past): TimeoutError; expired:', cm.expired(), '| cancelling:', me.cancelling())


asyncio.run(main())
