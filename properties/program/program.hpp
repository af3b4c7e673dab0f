#pragma once
// Random coroutine programs: the AST that the generator produces, the interpreter runs on the
// runtime, the model evaluates, and the Python renderer turns into an asyncio program.
//
// A program is a tree of nodes; node 0 is the main coroutine. Every other node is started
// exactly once, by a `spawn` (create_task) or a `gather` statement of its parent. Each node
// keeps an accumulator, starting at its `value`; awaiting a task or a gather adds the
// results; the node returns the accumulator.
//
// Phase discipline (what makes the outcome schedule-independent, so one simple model predicts
// it under every policy): with M = number of nodes, node k only acts at virtual times
// t == k (mod M). Its "phase sleep j" sleeps to the j-th such time after now. Implicit phase
// sleeps: at the start and at the end of every node, after every await or gather (also when it
// raised a ProgError, which is rethrown after the sleep), and after every cancel. Cancellation
// propagates at once (no sleep). So no two nodes ever make a decisive step (end, raise,
// cancel) at the same instant, except along one causal chain of cancellations. Unphased
// programs (phased = false) drop the discipline to give the scheduler many choices.
#include <exception>
#include <cstdint>
#include <string>
#include <vector>

namespace aio::props {

using NodeId = int;

struct Stmt;
using Block = std::vector<Stmt>;

struct Stmt {
    enum class Kind {
        sleep,       // phase sleep `n` (1..3)
        yield,       // sleep(0s): a scheduling point, no time
        raise,       // throw ProgError(n)
        spawn,       // handle[node] = create_task(node)
        await_task,  // acc += co_await handle[node] (no-op if it was never spawned)
        gather,      // acc += sum(co_await gather(nodes...))
        cancel,      // handle[node].cancel() (no-op if never spawned)
        try_catch,   // try { body } catch (ProgError) { handler }
        nested_run,  // aio::run() inside the loop: must throw RuntimeError, changes nothing
        task_group,  // async with TaskGroup() as tg: tg.create_task(node) for each of nodes;
                     // acc += the results of those not cancelled. Failures come out as an
                     // ExceptionGroup "g(...)".
        timeout,     // try: async with timeout(...): body  except TimeoutError: acc += 1000;
                     // then a phase sleep. The deadline is (4 + depth)/8 of a unit after
                     // node k's phase instant `n`, depth = the timeouts k is already in
                     // (k's timeouts fire when nobody else acts, nested ones never together).
                     // Other exceptions leave the statement at once.
        wait_for,    // acc += await wait_for(node(), same deadline) (the node runs inside this
                     // task, as asyncio runs a coroutine); TimeoutError: acc += 1000; then
                     // as after an await.
    };
    Kind kind = Kind::yield;
    int n = 0;
    NodeId node = -1;
    std::vector<NodeId> nodes;
    Block body, handler;
};

struct Node {
    NodeId parent = -1;
    int value = 0;
    Block body;
};

struct Program {
    std::vector<Node> nodes;  // nodes[0] is main
    /// false: every phase sleep j is a plain sleep of j units, so many tasks wake at the same
    /// instants and the schedule decides their order (rich interleavings, no model).
    bool phased = true;
    int modulus() const { return static_cast<int>(nodes.size()); }
};

/// The thrown error of a `raise` statement. Only it is caught by try_catch (not an
/// ExceptionGroup, not CancelledError), as `except ProgError` in Python. A std::exception, as
/// Python's ProgError is an Exception: a TaskGroup whose children raise it raises
/// aio::ExceptionGroup (a failure that is not a std::exception makes a BaseExceptionGroup).
struct ProgError : std::exception {
    explicit ProgError(int n) noexcept : id(n) {}
    int id;
};

/// A readable listing of the program (rapidcheck shows it for a counterexample).
std::string to_string(const Program& p);

/// Counts statements of a kind anywhere in the program.
int count(const Program& p, Stmt::Kind k);

}  // namespace aio::props
