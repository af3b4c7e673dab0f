import asyncio, time, warnings
async def main():
    loop = asyncio.get_running_loop()
    loop.run_in_executor(None, time.sleep, 2)
    await asyncio.sleep(0)
    t=time.monotonic()
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        await loop.shutdown_default_executor(0.3)
    print(round(time.monotonic()-t,1), [str(x.message) for x in w])
asyncio.run(main())
