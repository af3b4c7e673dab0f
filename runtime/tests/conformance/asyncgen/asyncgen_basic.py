# Async generators: async for over two generators interleaved by gather, exhaustion, aclose
# (the finally block runs), aclose of a never started generator, anext with a default.
import asyncio


async def ticker(name, n):
    try:
        for i in range(n):
            await asyncio.sleep(0.1)
            yield f'{name}{i}'
        print(name, 'exhausted')
    finally:
        print(name, 'finally')


async def consume(name, n):
    async for v in ticker(name, n):
        print('got', v)


async def main():
    await asyncio.gather(consume('a', 3), consume('b', 2))
    g = ticker('c', 5)
    print('first', await anext(g))
    print('second', await anext(g))
    await g.aclose()
    print('after aclose', await anext(g, 'exhausted'))
    u = ticker('u', 1)
    await u.aclose()
    print('unstarted closed', await anext(u, 'exhausted'))


asyncio.run(main())
print('done')
