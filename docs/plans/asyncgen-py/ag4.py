import asyncio
async def g1():
    try:
        yield 1
    except ValueError as e:
        print("caught", e)
async def g2():
    await asyncio.sleep(0.01)
    yield 1
async def main():
    g = g1(); print(await anext(g))
    try: await g.athrow(ValueError("x"))
    except StopAsyncIteration: print("StopAsyncIteration from athrow")
    u = g1(); await u.aclose(); print("aclose unstarted ok", await anext(u, "exhausted"))
    h = g2()
    t = asyncio.create_task(anext(h)); await asyncio.sleep(0)
    try: await anext(h)
    except RuntimeError as e: print("RuntimeError:", e)
    try: await h.aclose()
    except RuntimeError as e: print("RuntimeError:", e)
    print(await t)
asyncio.run(main())
