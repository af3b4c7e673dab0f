# athrow: an exception caught by the generator (which goes on and yields again), one it does
# not catch (athrow raises it, the generator is finished), and anext afterwards.
import asyncio


class Retry(Exception):
    pass


async def numbers():
    i = 0
    while True:
        try:
            yield i
            i += 1
        except Retry as e:
            print('retry', e)
            await asyncio.sleep(0.1)


async def main():
    g = numbers()
    print(await anext(g))
    print(await anext(g))
    print(await g.athrow(Retry('once')))
    print(await anext(g))
    try:
        await g.athrow(ValueError('fatal'))
    except ValueError as e:
        print('ValueError', e)
    print(await anext(g, 'finished'))


asyncio.run(main())
