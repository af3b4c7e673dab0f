import asyncio


async def sleeper(tag, delays):
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    for d in delays:
        await asyncio.sleep(d)
        print(f'{tag} woke after {round(loop.time() - t0, 1)}')
    return tag


async def yielder(tag, n):
    for i in range(n):
        print(f'{tag} step {i}')
        await asyncio.sleep(0)


async def main():
    r = await asyncio.gather(sleeper('x', [0.3, 0.2]), sleeper('y', [0.1, 0.1, 0.2]),
                             yielder('p', 3), yielder('q', 2), sleeper('z', [0]))
    print(r)
    t = asyncio.create_task(sleeper('long', [10]))
    await asyncio.sleep(0.1)
    t.cancel()
    try:
        await t
    except asyncio.CancelledError:
        print('long sleep cancelled')
    await asyncio.sleep(-1)
    print('negative sleep returns at once')


asyncio.run(main())
