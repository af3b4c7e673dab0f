import asyncio


async def main():
    r = asyncio.StreamReader()
    r.feed_data(b'line one\nline ')
    print('readline:', await r.readline())
    t = asyncio.create_task(r.readline())
    await asyncio.sleep(0)
    print('waiting for the rest:', not t.done())
    r.feed_data(b'two\n')
    print('readline:', await t)
    r.feed_data(b'')  # empty data is ignored
    r.feed_data(b'tail')
    r.feed_eof()
    print('read():', await r.read())
    print('at_eof:', r.at_eof())

    r = asyncio.StreamReader()
    t = asyncio.create_task(r.readexactly(4))
    await asyncio.sleep(0)
    r.set_exception(ValueError('set by the protocol'))
    try:
        await t
    except ValueError as e:
        print('waiting read got:', type(e).__name__, e)
    print('exception():', repr(r.exception()))
    try:
        await r.read(1)
    except ValueError as e:
        print('later read raises it too:', e)

    r = asyncio.StreamReader(limit=4)
    r.feed_data(b'abcdefgh')
    try:
        await r.readuntil(b'z')
    except asyncio.LimitOverrunError as e:
        print(f'{type(e).__name__}: {e} consumed={e.consumed}')
    print('readexactly ignores the limit:', await r.readexactly(8))
    try:
        asyncio.StreamReader(limit=0)
    except ValueError as e:
        print('ValueError:', e)


asyncio.run(main())
