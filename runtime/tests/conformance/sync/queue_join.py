import asyncio


async def worker(q, name):
    while True:
        item = await q.get()
        try:
            print(f'{name} processing {item}')
            await asyncio.sleep(0)
            if item == 'bad':
                raise ValueError('bad item')
        except ValueError as e:
            print(f'{name} failed on {item}: {e}')
        finally:
            q.task_done()
            print(f'{name} done with {item}, unfinished={q._unfinished_tasks}')


async def joiner(q, name):
    await q.join()
    print(f'{name} joined, unfinished={q._unfinished_tasks}')


async def main():
    q = asyncio.Queue()
    await q.join()
    print('join on an empty queue returns at once')
    for item in ['a', 'b', 'bad', 'c']:
        q.put_nowait(item)
    j1 = asyncio.create_task(joiner(q, 'j1'))
    j2 = asyncio.create_task(joiner(q, 'j2'))
    workers = [asyncio.create_task(worker(q, f'w{k}')) for k in range(2)]
    await asyncio.gather(j1, j2)
    print('all processed; qsize', q.qsize())

    # a cancelled join() raises and leaves the queue as it was
    q.put_nowait('d')
    j3 = asyncio.create_task(joiner(q, 'j3'))
    await asyncio.sleep(0)
    j3.cancel('stop joining')
    try:
        await j3
    except asyncio.CancelledError as e:
        print(f'j3: CancelledError "{e!s}"')
    await q.join()
    print('joined again')
    for w in workers:
        w.cancel()
    res = await asyncio.gather(*workers, return_exceptions=True)
    print([type(r).__name__ for r in res], 'unfinished', q._unfinished_tasks)


asyncio.run(main())
