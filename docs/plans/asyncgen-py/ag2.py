import asyncio
async def gen():
    try:
        yield 1
        yield 2
    except GeneratorExit:
        print("got GeneratorExit")
        yield 3
async def bad():
    try:
        yield 1
    finally:
        raise ValueError("boom in cleanup")
G=[]
async def main():
    g = gen()
    print(await g.__anext__())
    try:
        await g.aclose()
    except RuntimeError as e:
        print("RuntimeError:", e)
    b = bad(); G.append(b)
    print(await b.__anext__())
asyncio.run(main())
