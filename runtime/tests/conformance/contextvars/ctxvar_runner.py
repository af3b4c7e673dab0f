import asyncio
import contextvars

v = contextvars.ContextVar('v', default=0)


async def bump():
    v.set(v.get() + 1)
    return v.get()


async def child(log):
    log.append(f'child first step sees {v.get()}')
    v.set(50)
    await asyncio.sleep(0)
    log.append(f'child later has {v.get()}')


async def eager_main():
    asyncio.get_running_loop().set_task_factory(asyncio.eager_task_factory)
    log = []
    v.set(1)
    ctx = contextvars.Context()
    ctx.run(v.set, 10)
    holder = []
    ctx.run(lambda: holder.append(asyncio.create_task(child(log))))
    log.append(f'main after create has {v.get()}; ctx has {ctx[v]}')
    await holder[0]
    for line in log:
        print(line)


with asyncio.Runner() as runner:
    print(f'first run: {runner.run(bump())}')
    print(f'second run sees the first: {runner.run(bump())}')
    ctx = contextvars.Context()
    print(f'run with context: {runner.run(bump(), context=ctx)}; ctx has {ctx[v]}')
    print(f'third run: {runner.run(bump())}')
print(f'outside: {v.get()}')

outer = contextvars.Context()
outer.run(v.set, 3)
print(f'asyncio.run inside Context.run: {outer.run(asyncio.run, bump())}; outer keeps {outer[v]}')
asyncio.run(eager_main())
