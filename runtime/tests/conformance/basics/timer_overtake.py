# A timer that becomes due while other work is ready fires on the next pass: the clock moved
# while the steps ran. sleep(1e-10) is due at once; its timer sets the future, and the task
# resumes one pass later, between spin's steps: [0, 1, 2, 'T', 3, 4].
# The simulator's clock stands still while anything is ready unless each step costs virtual
# time: this pair runs there with cost=1us (timer_overtake.sim); under the default (cost=0)
# fifo prints [0, 1, 2, 3, 4, 'T'], and the overtake decision 'o' of the perturbing policies
# reaches this order too (sim/tests/clock_model_test.cpp).
import asyncio


async def spin(out):
    for i in range(5):
        out.append(i)
        await asyncio.sleep(0)


async def short(out):
    await asyncio.sleep(1e-10)
    out.append('T')


async def main():
    out = []
    await asyncio.gather(spin(out), short(out))
    print(out)


asyncio.run(main())
