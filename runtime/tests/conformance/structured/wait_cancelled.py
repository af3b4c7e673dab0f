import asyncio


async def job(name, delay):
    try:
        await asyncio.sleep(delay)
    except asyncio.CancelledError:
        print(f'{name} cancelled')
        raise
    print(f'{name} finished')


async def main():
    # Cancelling the task that waits does not cancel what it waits for.
    tasks = [asyncio.create_task(job('j1', 0.2)), asyncio.create_task(job('j2', 0.3))]

    async def waiter():
        try:
            await asyncio.wait(tasks)
        except asyncio.CancelledError:
            print('waiter cancelled')
            raise

    w = asyncio.create_task(waiter())
    await asyncio.sleep(0.1)
    w.cancel()
    await asyncio.gather(w, return_exceptions=True)
    print('jobs still running:', [not t.done() for t in tasks])
    done, pending = await asyncio.wait(tasks, timeout=1)
    print('later: done', len(done), 'pending', len(pending))

    # wait on plain futures, completed from callbacks.
    loop = asyncio.get_running_loop()
    f1, f2 = loop.create_future(), loop.create_future()
    loop.call_later(0.1, f2.set_exception, LookupError('f2 failed'))
    loop.call_later(0.2, f1.set_result, 1)
    done, pending = await asyncio.wait([f1, f2], return_when=asyncio.FIRST_EXCEPTION)
    print('futures: f2 done', f2 in done, '| f1 pending', f1 in pending, '| f2 exception:', f2.exception())
    await asyncio.sleep(0.2)


asyncio.run(main())
