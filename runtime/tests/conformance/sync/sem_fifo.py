import asyncio


async def fifo_two_rounds():
    sem = asyncio.Semaphore(1)
    result = []

    async def coro(tag):
        await sem.acquire()
        result.append(f'{tag}_1')
        await asyncio.sleep(0)
        sem.release()
        await sem.acquire()
        result.append(f'{tag}_2')
        await asyncio.sleep(0)
        sem.release()

    await asyncio.gather(coro('c1'), coro('c2'), coro('c3'))
    print('two rounds', result)


async def fifo_release_twice():
    # CPython's test_acquire_fifo_order_2
    sem = asyncio.Semaphore(1)
    result = []

    async def c1():
        await sem.acquire()
        result.append(1)

    async def c2():
        await sem.acquire()
        result.append(2)
        sem.release()
        await sem.acquire()
        result.append(4)

    async def c3():
        await sem.acquire()
        result.append(3)

    t1 = asyncio.create_task(c1())
    t2 = asyncio.create_task(c2())
    t3 = asyncio.create_task(c3())
    await asyncio.sleep(0)
    sem.release()
    sem.release()
    await asyncio.gather(t1, t2, t3)
    print('release twice', result, 'value', sem._value)


async def fifo_cancelled_first():
    # CPython's test_acquire_fifo_order_3
    sem = asyncio.Semaphore(0)
    result = []

    async def c(n):
        await sem.acquire()
        result.append(n)

    t1 = asyncio.create_task(c(1))
    t2 = asyncio.create_task(c(2))
    t3 = asyncio.create_task(c(3))
    await asyncio.sleep(0)
    t1.cancel()
    await asyncio.sleep(0)
    sem.release()
    sem.release()
    res = await asyncio.gather(t1, t2, t3, return_exceptions=True)
    print('cancelled first', result, [type(r).__name__ for r in res], 'value', sem._value)


async def main():
    await fifo_two_rounds()
    await fifo_release_twice()
    await fifo_cancelled_first()


asyncio.run(main())
