import asyncio


async def nothing():
    await asyncio.sleep(0)


async def failing():
    await asyncio.sleep(0.1)
    raise ValueError('boom')


async def main():
    tg = asyncio.TaskGroup()
    print(repr(tg))
    coro = nothing()
    try:
        tg.create_task(coro)
    except RuntimeError as e:
        print('RuntimeError:', e)
    coro.close()

    async with tg:
        print(repr(tg))
        t = tg.create_task(nothing(), name='named')
        print(repr(tg), t.get_name())
        try:
            async with tg:
                pass
        except RuntimeError as e:
            print('RuntimeError:', e)
    print(repr(tg))

    coro = nothing()
    try:
        tg.create_task(coro)
    except RuntimeError as e:
        print('RuntimeError:', e)
    coro.close()

    try:
        async with tg:
            pass
    except RuntimeError as e:
        print('RuntimeError:', e)

    tg2 = asyncio.TaskGroup()
    try:
        async with tg2:
            tg2.create_task(failing())
            tg2.create_task(nothing())
            try:
                await asyncio.sleep(1)
            except asyncio.CancelledError:
                print(repr(tg2))
                raise
    except ExceptionGroup as eg:
        print('ExceptionGroup:', eg)
    print(repr(tg2))
    coro = nothing()
    try:
        tg2.create_task(coro)
    except RuntimeError as e:
        print('RuntimeError:', e)
    coro.close()


asyncio.run(main())
