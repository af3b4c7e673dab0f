#include "python.hpp"

#include <fmt/format.h>

#include <stdexcept>

namespace aio::props {

namespace {

const char* prelude = R"py(import asyncio

class ProgError(Exception):
    def __init__(self, id):
        super().__init__(id)
        self.id = id

class VirtualLoop(asyncio.SelectorEventLoop):
    """asyncio's loop with a clock that jumps to the next timer instead of sleeping."""
    def __init__(self):
        super().__init__()
        self._vtime = 0
        real_select = self._selector.select
        def select(timeout=None):
            if timeout is None:
                return real_select(None)
            if timeout > 0:
                self._vtime += timeout
            return real_select(0)
        self._selector.select = select
    def time(self):
        return self._vtime

handles = {}
fates = {}

def now():
    # whole units (a node that a timeout interrupted is a fraction of a unit past an instant)
    return int(asyncio.get_running_loop().time() + 1e-6)

def phase_target(k, j):
    t = now()
    d = (k - t) % M
    if d == 0:
        d = M
    return t + d + (j - 1) * M

async def phase(k, j):
    await asyncio.sleep(phase_target(k, j) - asyncio.get_running_loop().time())

def deadline(k, j, depth):
    """A timeout of node k, `depth` timeouts deep: (4 + depth)/8 of a unit after its j-th
    phase instant, when nobody acts (nested ones never share a deadline)."""
    return phase_target(k, j) + (4 + depth) / 8

async def trivial():
    return 0

def nested_run():
    c = trivial()
    try:
        asyncio.run(c)
        raise AssertionError("nested asyncio.run() did not raise")
    except RuntimeError:
        c.close()

def started(k):
    fates[k] = {"kind": "pending", "started": 1, "cleanups": 0}

def record_unstarted(k, t):
    if k not in fates or not fates[k]["started"]:
        if t.cancelled():
            fates[k] = {"kind": "cancelled", "end": now(), "started": 0, "cleanups": 0}

def err_text(e):
    if isinstance(e, BaseExceptionGroup):
        return "g(" + ",".join(err_text(x) for x in e.exceptions) + ")"
    return str(e.id)

def fate_line(f, with_time=True):
    if f is None:
        return "not_spawned"
    end = " end=%d" % f["end"] if with_time and "end" in f else ""
    if f["kind"] == "returned":
        return "returned %d%s cleanups=%d" % (f["value"], end, f["cleanups"])
    if f["kind"] == "raised":
        return "raised %s%s cleanups=%d" % (f["error"], end, f["cleanups"])
    if f["kind"] == "cancelled":
        return "cancelled%s started=%d cleanups=%d" % (end, f["started"], f["cleanups"])
    return "pending started=%d cleanups=%d" % (f["started"], f["cleanups"])
)py";

const char* epilogue = R"py(
def main():
    try:
        value = asyncio.run(node_0(), loop_factory=VirtualLoop)
    except (ProgError, BaseExceptionGroup, asyncio.CancelledError):
        pass
    # The run line is main's fate (as the C++ side reports it).
    print("run " + fate_line(fates.get(0)))
    for k in range(M):
        print("n%d %s" % (k, fate_line(fates.get(k))))

main()
)py";

class Renderer {
public:
    explicit Renderer(const Program& p) : p_(p) {}

    std::string render() {
        out_ = prelude;
        out_ += fmt::format("\nM = {}\n", p_.modulus());
        for (std::size_t k = 0; k < p_.nodes.size(); ++k) node(static_cast<NodeId>(k));
        out_ += epilogue;
        return out_;
    }

private:
    void line(int indent, const std::string& s) {
        out_.append(static_cast<std::size_t>(indent) * 4, ' ');
        out_ += s;
        out_ += '\n';
    }

    void node(NodeId k) {
        line(0, "");
        line(0, fmt::format("async def node_{}():", k));
        line(1, fmt::format("started({})", k));
        line(1, fmt::format("f = fates[{}]", k));
        line(1, "try:");
        line(2, fmt::format("await phase({}, 1)", k));
        line(2, fmt::format("acc = {}", p_.nodes[k].value));
        block(p_.nodes[k].body, k, 2);
        line(2, fmt::format("await phase({}, 1)", k));
        line(2, "f.update(kind='returned', value=acc, end=now())");
        line(2, "return acc");
        line(1, "except (ProgError, BaseExceptionGroup) as e:");
        line(2, "f.update(kind='raised', error=err_text(e), end=now())");
        line(2, "raise");
        line(1, "except asyncio.CancelledError:");
        line(2, "f.update(kind='cancelled', end=now())");
        line(2, "f['cleanups'] += 1");
        line(2, "raise");
    }

    void after_wait(NodeId k, int indent) {
        line(indent, fmt::format("await phase({}, 1)", k));
        line(indent, "if ep is not None:");
        line(indent + 1, "raise ep");
    }

    void block(const Block& b, NodeId k, int indent, int depth = 0) {
        line(indent, "pass");
        using K = Stmt::Kind;
        for (const Stmt& s : b) {
            switch (s.kind) {
            case K::sleep: line(indent, fmt::format("await phase({}, {})", k, s.n)); break;
            case K::yield: line(indent, "await asyncio.sleep(0)"); break;
            case K::raise: line(indent, fmt::format("raise ProgError({})", s.n)); break;
            case K::spawn:
                line(indent, fmt::format("handles[{0}] = asyncio.create_task(node_{0}(), name='n{0}')", s.node));
                line(indent, fmt::format("handles[{0}].add_done_callback(lambda t: record_unstarted({0}, t))", s.node));
                break;
            case K::await_task:
                line(indent, fmt::format("if {} in handles:", s.node));
                line(indent + 1, "ep = None");
                line(indent + 1, "try:");
                line(indent + 2, fmt::format("acc += await handles[{}]", s.node));
                line(indent + 1, "except (ProgError, BaseExceptionGroup) as e:");
                line(indent + 2, "ep = e");
                after_wait(k, indent + 1);
                break;
            case K::gather: {
                std::string args;
                for (NodeId c : s.nodes) args += fmt::format("node_{}(), ", c);
                line(indent, "ep = None");
                line(indent, "try:");
                line(indent + 1, fmt::format("acc += sum(await asyncio.gather({}))", args));
                line(indent, "except (ProgError, BaseExceptionGroup) as e:");
                line(indent + 1, "ep = e");
                after_wait(k, indent);
                break;
            }
            case K::task_group:
                line(indent, "ep = None");
                line(indent, "try:");
                line(indent + 1, "async with asyncio.TaskGroup() as tg:");
                line(indent + 2, "kids = []");
                for (NodeId c : s.nodes) {
                    line(indent + 2, fmt::format("kids.append(tg.create_task(node_{0}(), name='n{0}'))", c));
                    line(indent + 2, fmt::format("kids[-1].add_done_callback(lambda t: record_unstarted({0}, t))", c));
                }
                line(indent + 1, "acc += sum(t.result() for t in kids if not t.cancelled())");
                line(indent, "except (ProgError, BaseExceptionGroup) as e:");
                line(indent + 1, "ep = e");
                after_wait(k, indent);
                break;
            case K::cancel:
                line(indent, fmt::format("if {} in handles:", s.node));
                line(indent + 1, fmt::format("handles[{}].cancel()", s.node));
                line(indent + 1, fmt::format("await phase({}, 1)", k));
                break;
            case K::try_catch:
                line(indent, "try:");
                block(s.body, k, indent + 1, depth);
                line(indent, "except ProgError:");
                block(s.handler, k, indent + 1, depth);
                break;
            case K::nested_run: line(indent, "nested_run()"); break;
            case K::timeout:
                line(indent, "try:");
                line(indent + 1, fmt::format("async with asyncio.timeout_at(deadline({}, {}, {})):", k, s.n, depth));
                block(s.body, k, indent + 2, depth + 1);
                line(indent, "except TimeoutError:");
                line(indent + 1, "acc += 1000");
                line(indent, fmt::format("await phase({}, 1)", k));
                break;
            case K::wait_for:
                line(indent, "ep = None");
                line(indent, "try:");
                line(indent + 1, fmt::format("acc += await asyncio.wait_for(node_{}(), deadline({}, {}, {}) - "
                                             "asyncio.get_running_loop().time())",
                                             s.node, k, s.n, depth));
                line(indent, "except TimeoutError:");
                line(indent + 1, "acc += 1000");
                line(indent, "except (ProgError, BaseExceptionGroup) as e:");
                line(indent + 1, "ep = e");
                after_wait(k, indent);
                break;
            }
        }
    }

    const Program& p_;
    std::string out_;
};

}  // namespace

std::string to_python(const Program& p) {
    if (!p.phased) throw std::logic_error("to_python(): only phased programs have a schedule-independent outcome");
    return Renderer(p).render();
}

}  // namespace aio::props
