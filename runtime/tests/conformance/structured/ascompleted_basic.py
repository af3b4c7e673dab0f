import asyncio


async def job(name, delay, fail=False):
    await asyncio.sleep(delay)
    if fail:
        raise ValueError(f'{name} failed')
    return name


async def main():
    # Results in completion order; an exception is raised by the await that gets it.
    tasks = [asyncio.create_task(job('slow', 0.3)),
             asyncio.create_task(job('bad', 0.2, fail=True)),
             asyncio.create_task(job('fast', 0.1))]
    for i, next_done in enumerate(asyncio.as_completed(tasks)):
        try:
            print(i, 'got', await next_done)
        except ValueError as e:
            print(i, 'raised ValueError:', e)

    # Timeout: the remaining awaits raise TimeoutError; the tasks are not cancelled.
    tasks = [asyncio.create_task(job('t1', 0.1)), asyncio.create_task(job('t2', 0.5)),
             asyncio.create_task(job('t3', 0.6))]
    for next_done in asyncio.as_completed(tasks, timeout=0.3):
        try:
            print('got', await next_done)
        except TimeoutError as e:
            print(f'TimeoutError {str(e)!r}')
    print('cancelled:', [t.cancelled() for t in tasks], 'done:', [t.done() for t in tasks])
    await asyncio.wait(tasks)
    print('all done later:', [t.result() for t in tasks])

    # Duplicates count once.
    t = asyncio.create_task(job('dup', 0.1))
    n = 0
    for next_done in asyncio.as_completed([t, t]):
        print('dup got', await next_done)
        n += 1
    print('iterations:', n)


asyncio.run(main())
