# Timers due within a millisecond of each other fire in one pass: the selector's wait for the
# first rounds up to whole milliseconds (selectors.EpollSelector.select), and _run_once then
# takes every timer due by time() + clock_resolution. So b (due 1 us after a) runs before c,
# which a scheduled with call_soon: a, b, c. Timers further apart fire on passes of their own.
import asyncio


async def main():
    loop = asyncio.get_running_loop()
    done = loop.create_future()

    def c():
        print('c (call_soon from a)')

    def a():
        print('a (due at 5 ms)')
        loop.call_soon(c)

    def b():
        print('b (due at 5.001 ms)')

    def d():
        print('d (due at 200 ms)')
        loop.call_soon(e)

    def e():
        print('e (call_soon from d)')

    def f():
        print('f (due at 400 ms)')
        done.set_result(None)

    loop.call_later(0.005, a)
    loop.call_later(0.005001, b)
    loop.call_later(0.4, f)
    loop.call_later(0.2, d)
    await done
    print('done')


asyncio.run(main())
