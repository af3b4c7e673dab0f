# A generator that yields again on GeneratorExit: aclose raises RuntimeError; dropped, the
# loop's finalizer closes it (GeneratorExit at that last yield ends it, silently). A global
# generator whose cleanup raises at shutdown: reported to the exception handler.
import asyncio

PREFIX = 'an error occurred during closing of asynchronous generator'


async def stubborn():
    try:
        yield 1
        yield 2
    except GeneratorExit:
        print('got GeneratorExit')
        yield 3
    print('never')


async def bad():
    try:
        yield 1
    finally:
        print('bad cleanup')
        raise ValueError('boom in cleanup')


G = []


def handler(loop, ctx):
    e = ctx.get('exception')
    print('handler:', ctx['message'][:len(PREFIX)], type(e).__name__, e)


async def main():
    asyncio.get_running_loop().set_exception_handler(handler)
    g = stubborn()
    print(await anext(g))
    try:
        await g.aclose()
    except RuntimeError as e:
        print('RuntimeError:', e)
    del g
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    b = bad()
    G.append(b)
    print(await anext(b))
    print('main end')


asyncio.run(main())
print('after run')
