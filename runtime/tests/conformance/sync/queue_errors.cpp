#include "sync_conformance.hpp"

using namespace conformance;

// aio's QueueEmpty/QueueFull carry a message where asyncio's have none: only the type is
// compared here.
static aio::Coro<void> amain() {
    aio::Queue<std::string> q(1);
    try {
        q.get_nowait();
    } catch (const aio::QueueEmpty&) {
        out("get_nowait on empty: {} {}", type(std::current_exception()),
            py(std::is_base_of_v<std::exception, aio::QueueEmpty>));
    }
    q.put_nowait("a");
    try {
        q.put_nowait("b");
    } catch (const aio::QueueFull&) {
        out("put_nowait on full: {} qsize {}", type(std::current_exception()), q.qsize());
    }
    out("unfinished {}", q.unfinished_tasks());
    out("got {}", q.get_nowait());
    q.task_done();
    try {
        q.task_done();
    } catch (const aio::ValueError&) {
        out("{}", what_raised());
    }
    out("unfinished {}", q.unfinished_tasks());
    q.put_nowait("c");
    try {
        q.put_nowait("d");
    } catch (const aio::QueueFull&) {}
    out("unfinished {} qsize {}", q.unfinished_tasks(), q.qsize());
    co_return;
}

int conformance_program(aio::RunOptions opts) {
    aio::run(amain(), std::move(opts));
    return 0;
}
