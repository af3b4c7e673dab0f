import asyncio


async def main():
    cond = asyncio.Condition()
    state = {'n': 0}
    checks = []

    def pred():
        checks.append(state['n'])
        return state['n'] >= 2 and f"n={state['n']}"

    async def consumer():
        async with cond:
            r = await cond.wait_for(pred)
            print('consumer got', r, 'checks', checks)

    c = asyncio.create_task(consumer())
    await asyncio.sleep(0)
    for _ in range(3):
        async with cond:
            state['n'] += 1
            print('bump to', state['n'])
            cond.notify()
        await asyncio.sleep(0)
    await c

    # a predicate already true returns at once, even without the lock
    print('true at once:', await cond.wait_for(lambda: [1, 2, 3]))
    try:
        await cond.wait_for(lambda: False)
    except RuntimeError as e:
        print(f'{type(e).__name__}: {e}')
    print('locked', cond.locked())


asyncio.run(main())
