import asyncio


async def main():
    q = asyncio.Queue(1)
    try:
        q.get_nowait()
    except asyncio.QueueEmpty as e:
        print('get_nowait on empty:', type(e).__name__, isinstance(e, Exception))
    q.put_nowait('a')
    try:
        q.put_nowait('b')
    except asyncio.QueueFull as e:
        print('put_nowait on full:', type(e).__name__, 'qsize', q.qsize())
    print('unfinished', q._unfinished_tasks)
    print('got', q.get_nowait())
    q.task_done()
    try:
        q.task_done()
    except ValueError as e:
        print(f'{type(e).__name__}: {e}')
    print('unfinished', q._unfinished_tasks)
    # a failed put_nowait counts nothing; a failed get_nowait takes nothing
    q.put_nowait('c')
    try:
        q.put_nowait('d')
    except asyncio.QueueFull:
        pass
    print('unfinished', q._unfinished_tasks, 'qsize', q.qsize())


asyncio.run(main())
