import asyncio
import contextvars

v = contextvars.ContextVar('v')
w = contextvars.ContextVar('w', default='w-default')


def name(e):
    return type(e).__name__


def attempt(what, fn, *args):
    try:
        r = fn(*args)
        print(f'{what}: ok {r}')
    except (LookupError, RuntimeError, ValueError) as e:
        print(f'{what}: {name(e)}')


def body():
    attempt('get unset', v.get)
    print(f'get with default: {v.get("fallback")}; w: {w.get()}; w with default: {w.get("mine")}')
    t1 = v.set('one')
    print(f'old value missing: {t1.old_value is contextvars.Token.MISSING}; var is v: {t1.var is v}')
    t2 = v.set('two')
    print(f'old value: {t2.old_value}; now {v.get()}')
    v.reset(t2)
    print(f'after reset: {v.get()}')
    attempt('reset used token', v.reset, t2)
    tw = w.set('w1')
    attempt('reset by another var', v.reset, tw)
    w.reset(tw)
    attempt('used token of another var', v.reset, tw)
    v.reset(t1)
    attempt('get after reset to missing', v.get)
    return 'body result'


async def main():
    ctx = contextvars.copy_context()
    print(f'run returned: {ctx.run(body)}')
    print(f'ctx size after body: {len(ctx)}')

    attempt('nested run', ctx.run, ctx.run, lambda: None)

    def raises():
        v.set('in raises')
        raise ValueError('boom')

    attempt('run raising', ctx.run, raises)
    print(f'value set before the exception kept: {ctx[v]}; run again: {ctx.run(lambda: "ok")}')

    a = contextvars.Context()
    b = contextvars.Context()
    tok = a.run(v.set, 'in a')
    attempt('reset in another context', b.run, v.reset, tok)
    a.run(v.reset, tok)
    print(f'a has v: {v in a}')

    c = ctx.copy()
    c.run(v.set, 'in c')
    print(f'copy isolated: ctx {ctx[v]}, c {c[v]}')

    async def task_token():
        return v.set('task')

    tok = await asyncio.create_task(task_token())
    attempt('reset a task token in main', v.reset, tok)


asyncio.run(main())
