import asyncio


async def waiter(ev, name):
    print(f'{name} waits')
    try:
        await ev.wait()
        print(f'{name} woke')
    except asyncio.CancelledError as e:
        print(f'{name} cancelled: {e!s}')
        raise


def kinds(results):
    return [type(r).__name__ for r in results]


async def main():
    ev = asyncio.Event()
    a = asyncio.create_task(waiter(ev, 'a'))
    b = asyncio.create_task(waiter(ev, 'b'))
    c = asyncio.create_task(waiter(ev, 'c'))
    await asyncio.sleep(0)
    print('waiters', len(ev._waiters))
    a.cancel('stop a')  # before the wake-up
    await asyncio.sleep(0)
    print('waiters', len(ev._waiters))
    ev.set()            # wakes b and c
    b.cancel('stop b')  # woken, cancelled before it runs: it still raises
    await asyncio.sleep(0)
    print('waiters', len(ev._waiters))
    print(kinds(await asyncio.gather(a, b, c, return_exceptions=True)))

    ev.clear()
    d = asyncio.create_task(waiter(ev, 'd'))
    e = asyncio.create_task(waiter(ev, 'e'))
    await asyncio.sleep(0)
    d.cancel()          # a cancelled waiter ahead does not keep e from waking
    ev.set()
    print(kinds(await asyncio.gather(d, e, return_exceptions=True)))

    # cancelled before its first step: never waits at all
    f = asyncio.create_task(waiter(ev, 'f'))
    f.cancel('early')
    print(kinds(await asyncio.gather(f, return_exceptions=True)), 'waiters', len(ev._waiters))


asyncio.run(main())
