import asyncio
async def bad():
    try:
        yield 1
    finally:
        raise ValueError("boom")
async def main():
    b = bad()
    print(await b.__anext__())
    del b
    await asyncio.sleep(0); await asyncio.sleep(0)
    print("main end")
asyncio.run(main())
