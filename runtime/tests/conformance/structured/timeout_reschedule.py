import asyncio


async def main():
    loop = asyncio.get_running_loop()
    fut = loop.create_future()

    async def worker():
        try:
            async with asyncio.timeout(0.2) as cm:
                fut.set_result(cm)
                await asyncio.sleep(1)
        except TimeoutError:
            print('worker: TimeoutError at the rescheduled deadline')
        return cm

    task = asyncio.create_task(worker())
    cm = await fut
    print('repr active:', repr(cm).startswith('<Timeout [active] when='))
    # Push the deadline back from another task: 0.2 s passes without a timeout.
    cm.reschedule(loop.time() + 0.4)
    await asyncio.sleep(0.3)
    print('still running after 0.3 s:', not task.done())
    cm.reschedule(None)
    print('disabled: when =', cm.when())
    await asyncio.sleep(0.2)
    cm.reschedule(loop.time() + 0.1)
    await task
    print('repr expired:', repr(cm))

    try:
        cm.reschedule(None)
    except RuntimeError as e:
        print('expired: RuntimeError:', e)

    async with asyncio.timeout(1) as cm2:
        pass
    print('repr finished:', repr(cm2))
    try:
        cm2.reschedule(loop.time() + 1)
    except RuntimeError as e:
        print('finished: RuntimeError:', e)

    cm3 = asyncio.timeout(1)
    print('repr created:', repr(cm3))
    try:
        cm3.reschedule(loop.time() + 1)
    except RuntimeError as e:
        print('created: RuntimeError:', e)

    async with asyncio.timeout(None) as cm4:
        print('repr disabled:', repr(cm4))
        try:
            async with cm4:
                pass
        except RuntimeError as e:
            print('re-enter: RuntimeError:', e)

    # Rescheduling into the past fires on the next loop pass.
    try:
        async with asyncio.timeout(10) as cm5:
            cm5.reschedule(loop.time() - 1)
            await asyncio.sleep(0)
            print('not reached')
    except TimeoutError:
        print('past deadline fired at once')

    # An expiring timeout cannot be rescheduled.
    async with asyncio.timeout(0.1) as cm6:
        try:
            await asyncio.sleep(1)
        except asyncio.CancelledError:
            try:
                cm6.reschedule(None)
            except RuntimeError as e:
                print('expiring: RuntimeError:', e)
    print('block swallowed its CancelledError: no TimeoutError; expired', cm6.expired())


asyncio.run(main())
