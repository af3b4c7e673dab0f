import asyncio


async def save(name, delay):
    try:
        await asyncio.sleep(delay)
    except asyncio.CancelledError:
        print(f'{name} cancelled')
        raise
    print(f'{name} saved')
    return f'{name} ok'


async def main():
    # The awaiting task is cancelled; the shielded task keeps running.
    inner = asyncio.create_task(save('record', 0.3))

    async def caller():
        try:
            return await asyncio.shield(inner)
        except asyncio.CancelledError:
            print('caller cancelled; inner done:', inner.done())
            raise

    c = asyncio.create_task(caller())
    await asyncio.sleep(0.1)
    c.cancel()
    try:
        await c
    except asyncio.CancelledError:
        print('caller task cancelled:', c.cancelled())
    print('inner result later:', await inner)

    # wait_for + shield: TimeoutError, but the task is not cancelled.
    inner = asyncio.create_task(save('report', 0.2))
    try:
        await asyncio.wait_for(asyncio.shield(inner), 0.1)
    except TimeoutError:
        print('TimeoutError; inner cancelled:', inner.cancelled(), 'done:', inner.done())
    print('inner result:', await inner)

    # shield of a coroutine wraps it in a task that survives the cancellation.
    outer = asyncio.shield(save('coro', 0.2))
    await asyncio.sleep(0.1)
    print('outer.cancel():', outer.cancel(), '| outer cancelled:', outer.cancelled())
    await asyncio.sleep(0.2)

    # Without cancellation, shield is transparent.
    print('plain:', await asyncio.shield(save('plain', 0.1)))


asyncio.run(main())
