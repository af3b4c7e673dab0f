# A generator dropped while suspended is closed by the loop's finalizer, in a task created on the
# next pass: its cleanup runs there, and a cleanup that raises is that task's exception, never
# retrieved (reported to the exception handler).
import asyncio


async def bad():
    try:
        yield 1
    finally:
        print('bad cleanup')
        raise ValueError('boom')


async def good():
    try:
        yield 1
    finally:
        print('good cleanup start')
        await asyncio.sleep(0)
        print('good cleanup end')


def handler(loop, ctx):
    e = ctx.get('exception')
    print('handler:', ctx['message'], type(e).__name__, e)


async def main():
    asyncio.get_running_loop().set_exception_handler(handler)
    g = good()
    print(await anext(g))
    del g
    print('good dropped')
    await asyncio.sleep(0)
    print('one pass later')
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    b = bad()
    print(await anext(b))
    del b
    print('bad dropped')
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    print('main end')


asyncio.run(main())
