import asyncio


async def party(b, name, rounds):
    for r in range(rounds):
        print(f'{name} arrives (round {r}), n_waiting={b.n_waiting}')
        i = await b.wait()
        print(f'{name} passes with index {i}, state={b._state.value}, n_waiting={b.n_waiting}')
        await asyncio.sleep(0)


async def main():
    b = asyncio.Barrier(3)
    print('parties', b.parties, 'n_waiting', b.n_waiting, 'broken', b.broken, 'state', b._state.value)
    ts = [asyncio.create_task(party(b, n, 2)) for n in 'abc']
    await asyncio.gather(*ts)
    print('state', b._state.value, 'n_waiting', b.n_waiting)

    # five tasks on a 3-party barrier: the first three trip it; the last two block until a
    # third joins them (tasks arriving while it drains wait for the next cycle)
    async def once(name):
        i = await b.wait()
        print(f'{name} index {i}')

    ts = [asyncio.create_task(once(f't{k}')) for k in range(5)]
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    print('n_waiting', b.n_waiting, 'state', b._state.value)
    for _ in range(4):
        await asyncio.sleep(0)
    print('after draining: n_waiting', b.n_waiting, 'state', b._state.value)
    ts.append(asyncio.create_task(once('t5')))
    await asyncio.gather(*ts)

    # `async with barrier` gives the index
    one = asyncio.Barrier(1)
    async with one as i:
        print('single party index', i)
    print('end', b.n_waiting, b.broken)


asyncio.run(main())
