import asyncio

# A task cancelled twice (or cancelled, then uncancelled) before it runs again: which
# CancelledError reaches its await, for each kind of wait, and what cancelling() says.
SEQUENCES = [
    ('first,second', ['first', 'second']),
    ('first,none', ['first', None]),
    ('first,uncancel', ['first', 'uncancel']),
    ('first,second,uncancel', ['first', 'second', 'uncancel']),
]


async def forever():
    await asyncio.sleep(3600)


async def waiter(kind, ctx):
    try:
        if kind == 'sleep':
            await asyncio.sleep(3600)
        elif kind == 'yield':
            await asyncio.sleep(0)
        elif kind == 'future':
            await ctx['fut']
        elif kind == 'task':
            await ctx['inner']
        elif kind == 'gather':
            await asyncio.gather(ctx['a'], ctx['b'])
        elif kind == 'lock':
            await ctx['lock'].acquire()
        elif kind == 'event':
            await ctx['event'].wait()
        elif kind == 'queue':
            await ctx['queue'].get()
        elif kind == 'condition':
            async with ctx['cond']:
                await ctx['cond'].wait()
        elif kind == 'timeout':
            async with asyncio.timeout(0):
                await asyncio.sleep(3600)
        return 'returned'
    except asyncio.CancelledError as e:
        print(f'  at the await: CancelledError <{e}>')
        raise
    except TimeoutError as e:
        print(f'  at the await: TimeoutError <{e}>')
        raise


async def case(kind, label, seq):
    print(f'{kind} {label}:')
    loop = asyncio.get_running_loop()
    ctx = {}
    if kind == 'future':
        ctx['fut'] = loop.create_future()
    elif kind == 'task':
        ctx['inner'] = asyncio.create_task(forever())
    elif kind == 'gather':
        ctx['a'] = asyncio.create_task(forever())
        ctx['b'] = asyncio.create_task(forever())
    elif kind == 'lock':
        ctx['lock'] = asyncio.Lock()
        await ctx['lock'].acquire()
    elif kind == 'event':
        ctx['event'] = asyncio.Event()
    elif kind == 'queue':
        ctx['queue'] = asyncio.Queue()
    elif kind == 'condition':
        ctx['cond'] = asyncio.Condition()
    t = asyncio.create_task(waiter(kind, ctx))
    await asyncio.sleep(0)  # t is waiting now (for 'yield': its next step is scheduled)
    if kind == 'timeout':
        await asyncio.sleep(0)  # the timeout has cancelled t; t has not run yet
    for c in seq:
        if c == 'uncancel':
            t.uncancel()
        else:
            t.cancel(c)
    print(f'  cancelling={t.cancelling()}')
    try:
        r = await t
        print(f'  task: {r}')
    except asyncio.CancelledError as e:
        print(f'  task: CancelledError <{e}>')
    except TimeoutError as e:
        print(f'  task: TimeoutError <{e}>')
    print(f'  after: cancelling={t.cancelling()} cancelled={t.cancelled()}')
    for k in ('inner', 'a', 'b'):
        if k in ctx:
            print(f'  {k}: cancelled={ctx[k].cancelled()} cancelling={ctx[k].cancelling()}')
    if kind == 'lock':
        ctx['lock'].release()


async def main():
    for kind in ('sleep', 'yield', 'future', 'task', 'gather', 'lock', 'event', 'queue', 'condition', 'timeout'):
        for label, seq in SEQUENCES:
            await case(kind, label, seq)


asyncio.run(main())
