#pragma once
// aio::EventLoop: asyncio's event loop. One loop core (ready queue, timers, task
// bookkeeping, thread-safe wake-ups); what differs between the real loop and the simulator's
// virtual-time loop is the seam (loop_seam.hpp): the clock, the wait for work (the driver)
// and the choice points (the chooser), installed once with install_seam().
//
// A pass of the loop (asyncio's _run_once): wait for work if nothing is ready (up to the
// earliest timer), move thread-safe callbacks and expired timers to the ready queue, then
// run exactly the entries that were ready when the pass began. Entries scheduled during the
// pass run on the next one. stop() ends run_forever() after the current pass.
//
// Threading: a loop belongs to the thread that runs it. Only call_soon_threadsafe() may be
// called from other threads (and TaskCanceller::cancel(), which posts through it); while the
// loop runs, call_soon, call_later, call_at, create_task and the task and future methods that
// change state throw RuntimeError("Non-thread-safe operation invoked on an event loop other
// than the current one: ...") on any other thread. One loop runs per thread at a time.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <source_location>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "aio/clock.hpp"
#include "aio/context.hpp"
#include "aio/coro.hpp"
#include "aio/errors.hpp"
#include "aio/executor.hpp"
#include "aio/handle.hpp"
#include "aio/loop_seam.hpp"
#include "aio/net/address.hpp"
#include "aio/net/options.hpp"
#include "aio/net/socket.hpp"
#include "aio/net/transport.hpp"
#include "aio/detail/access_observer.hpp"
#include "aio/detail/asyncgen_registry.hpp"
#include "aio/detail/epoll_driver.hpp"
#include "aio/detail/intrusive_list.hpp"
#include "aio/detail/loop_observer.hpp"
#include "aio/detail/loop_thread.hpp"
#include "aio/detail/ready_queue.hpp"
#include "aio/detail/task_state.hpp"
#include "aio/detail/threadsafe_inbox.hpp"
#include "aio/detail/timer_heap.hpp"

namespace aio {

template <class T>
class Task;
template <class T>
class Future;
class AnyTask;
class EventLoop;
class Server;  // aio/net/server.hpp

namespace detail {
class SocketTransport;  // src/net/socket_transport.hpp
[[noreturn]] void throw_no_current_task(const char* what);
[[noreturn]] void throw_enter_task_conflict(TaskBase* entering, TaskBase* current);
struct EventLoopAccess;
}  // namespace detail

namespace detail {
/// The default executor's way back to its loop (EventLoop::run_in_executor): shared by the
/// loop and every job; posts to the loop while it is open, drops the callback once close()
/// cleared `loop`. Any thread.
class ExecutorLink {
public:
    explicit ExecutorLink(EventLoop* loop) noexcept : loop_(loop) {}
    /// loop->call_soon_threadsafe(fn) while the loop is open; otherwise fn is destroyed here.
    void post(std::function<void()> fn) noexcept;
    void close() noexcept;

private:
    std::mutex mu_;
    EventLoop* loop_;
};
}  // namespace detail

/// asyncio's constants.THREAD_JOIN_TIMEOUT: aio::run's timeout for shutdown_default_executor.
inline constexpr Duration thread_join_timeout = std::chrono::seconds(300);

/// Makes the protocol of each new connection (asyncio's protocol_factory).
using ProtocolFactory = std::function<std::unique_ptr<Protocol>()>;

/// What call_exception_handler() receives (asyncio's context dict).
struct ExceptionContext {
    std::string message;
    std::exception_ptr exception;  // may be null
    std::string task_name;         // empty when no task is involved
    std::uint64_t task_id = 0;
    std::optional<std::source_location> created_at;  // where the task was created
};

class EventLoop {
public:
    /// A real-time loop (the default loop): steady clock; blocks the thread while idle.
    EventLoop();
    virtual ~EventLoop();
    EventLoop(const EventLoop&) = delete;
    EventLoop& operator=(const EventLoop&) = delete;

    // --- time and callbacks --------------------------------------------------------------
    TimePoint time() const { return clock_->now(); }
    // Each callback runs in a copy of the context current when it is scheduled, or in the
    // Context given (asyncio's context= argument; context.hpp).
    Handle call_soon(std::function<void()> fn);
    Handle call_soon(std::function<void()> fn, const Context& context);
    Handle call_later(Duration delay, std::function<void()> fn);
    Handle call_later(Duration delay, std::function<void()> fn, const Context& context);
    Handle call_at(TimePoint when, std::function<void()> fn);
    Handle call_at(TimePoint when, std::function<void()> fn, const Context& context);
    /// The only method that may be called from another thread; wakes the loop. Returns no
    /// handle: a handle's count would be shared between threads. The copy of the context is
    /// taken on the calling thread.
    void call_soon_threadsafe(std::function<void()> fn);
    void call_soon_threadsafe(std::function<void()> fn, const Context& context);
    /// asyncio raises TypeError when given a coroutine function: here it does not compile (a
    /// std::function<void()> would silently drop the coroutine each call creates). Pass a plain
    /// function; it may start the coroutine with create_task.
    template <class F>
        requires std::is_invocable_v<F&> && is_coro_v<std::invoke_result_t<F&>>
    Handle call_soon(F&&) = delete;
    template <class F>
        requires std::is_invocable_v<F&> && is_coro_v<std::invoke_result_t<F&>>
    Handle call_later(Duration, F&&) = delete;
    template <class F>
        requires std::is_invocable_v<F&> && is_coro_v<std::invoke_result_t<F&>>
    Handle call_at(TimePoint, F&&) = delete;
    template <class F>
        requires std::is_invocable_v<F&> && is_coro_v<std::invoke_result_t<F&>>
    void call_soon_threadsafe(F&&) = delete;

    // --- tasks ---------------------------------------------------------------------------
    /// Wraps coro in a task scheduled to start on the next pass (asyncio's create_task).
    /// An empty name gives "Task-N", N counting this loop's tasks from 1.
    /// With eager tasks on (and the loop running), the task's first step runs inside
    /// create_task instead; see set_eager_tasks().
    template <class T>
    Task<T> create_task(Coro<T> coro, std::string name = {},
                        std::source_location loc = std::source_location::current());
    /// create_task(coro, name=, context=): the task runs in `context` itself (not a copy), so
    /// what it sets shows through `context` (context.hpp).
    template <class T>
    Task<T> create_task(Coro<T> coro, std::string name, const Context& context,
                        std::source_location loc = std::source_location::current());
    /// The pending tasks of this loop, in creation order (asyncio's all_tasks).
    std::vector<AnyTask> all_tasks() const;
    /// The task whose step is running, or an empty handle.
    AnyTask current_task() const;
    /// Python 3.12's `loop.set_task_factory(asyncio.eager_task_factory)`: while the loop
    /// is running, create_task runs the new task's first step at once, inside the caller
    /// (which stays the current task again afterwards), until its first suspension. A
    /// task that finishes in that step is done when create_task returns and is never
    /// scheduled. As in 3.12, the name given to create_task is applied after that first
    /// step (during it the task is still "Task-N"). Off by default; a task created while
    /// the loop is not running always starts on the next pass.
    void set_eager_tasks(bool on) noexcept { eager_tasks_ = on; }
    bool eager_tasks() const noexcept { return eager_tasks_; }

    // --- task tags and kills (a simulator facility: its hosts; asyncio has no counterpart) --
    // Every task carries a tag (TaskBase::tag(), AnyTask::tag()), fixed when it is created: the
    // tag of the innermost open TagScope if there is one, else the tag of the task whose step
    // creates it, else 0. So a task's descendants share its tag unless created under a scope.
    // A plain callback (call_soon, a protocol's method) runs outside any task: a task it creates
    // gets 0 unless the callback opens a TagScope. Costs one 4-byte copy per task creation.

    /// While alive, tasks created on this loop get `tag` (aio::sim::Host::spawn uses it).
    /// Nestable; destroying it restores the previous scope (scopes end in reverse order). A
    /// scope is for synchronous code: it must not stay open across a co_await (other tasks'
    /// steps would see it). During the eager first step of a task created under a scope, the
    /// scope is set aside (that task's own tag applies, which is the scope's).
    class TagScope {
    public:
        TagScope(EventLoop& loop, std::uint32_t tag) noexcept
            : loop_(loop), prev_tag_(loop.scope_tag_), prev_open_(loop.tag_scope_open_) {
            loop.scope_tag_ = tag;
            loop.tag_scope_open_ = true;
        }
        ~TagScope() {
            loop_.scope_tag_ = prev_tag_;
            loop_.tag_scope_open_ = prev_open_;
        }
        TagScope(const TagScope&) = delete;
        TagScope& operator=(const TagScope&) = delete;

    private:
        EventLoop& loop_;
        std::uint32_t prev_tag_;
        bool prev_open_;
    };
    /// `auto scope = loop.enter_tag(3);`: a TagScope for `tag`.
    [[nodiscard]] TagScope enter_tag(std::uint32_t tag) noexcept { return TagScope(*this, tag); }
    /// The tag a task created now would get: the open scope's, else the current task's, else 0.
    std::uint32_t current_tag() const noexcept {
        if (tag_scope_open_) [[unlikely]]
            return scope_tag_;
        return current_task_ ? current_task_->tag() : 0;
    }
    /// Kills every pending task tagged `tag`, as a killed process's threads stop (the
    /// simulator's host crash); returns how many. A killed task runs no further step: no catch
    /// block, no code after its current co_await, no cancellation handling of it runs. Its
    /// coroutine frame is destroyed now, so the destructors of the objects in it (RAII) run,
    /// here, inside kill_tasks, in the order the frame's unwinding gives; the waits it was
    /// suspended in unlink themselves (a sleep's timer, a future's or task's done-callback, a
    /// Lock/Semaphore/Event/Condition/Queue waiter, a stream reader's or drain waiter), and a
    /// wake-up it had received but not yet run (a Lock or Semaphore hand-off, a Queue slot or
    /// item, a Condition notification) is handed on to the next waiter, so the primitive stays
    /// usable by the surviving tasks. What the task held without RAII (a Lock acquired by hand)
    /// stays held, as a dead process's would. Its queued wake-ups become no-ops.
    /// Its future completes with `why` (a CancelledError: cancelled; anything else: finished
    /// with that exception): awaiters of other tags get it, done-callbacks run on later passes
    /// as for any completion, and it counts as retrieved (no "never retrieved" report). So a
    /// gather over a killed child fails with `why` (siblings keep running, as for any failing
    /// child), and a TaskGroup with a killed child raises ExceptionGroup holding `why` after
    /// cancelling the others. Tasks that awaited it with the same tag are killed too (in
    /// creation order), so nobody sees their exception; killing the main task (tag 0 unless
    /// scoped) makes run() / run_until_complete() throw `why`. A killed task is done: aio::run's
    /// shutdown and close() see nothing of it ("destroyed but pending" is never reported).
    /// Called from a step of a task that has the tag (directly, or in the eager first step of a
    /// task it created), that task runs on until its step ends (it suspends or returns) and is
    /// killed right then; tasks that step creates after the call are not killed.
    /// ValueError for a null `why`; RuntimeError on a closed loop or another thread.
    std::size_t kill_tasks(std::uint32_t tag, std::exception_ptr why);

    // --- host aliases (the real loop's names for the loopback hosts) ----------------------
    /// This loop's getaddrinfo() answers `name` (case-insensitively) with `numeric_address`
    /// (an IPv4 or IPv6 literal, ValueError otherwise), honouring the port, family, type,
    /// protocol and flags hints as getaddrinfo(3) does for that literal, without asking the
    /// system; so create_connection/open_connection("db", port) reach 127.0.0.2 when "db" is
    /// aliased to it, and create_server("db", port) listens there. Replaces an alias of that
    /// name. canonname (AI_CANONNAME) is `name`. The simulator's getaddrinfo ignores them.
    void add_host_alias(std::string name, std::string numeric_address);
    /// True when `name` had an alias.
    bool remove_host_alias(std::string_view name);

    // --- running -------------------------------------------------------------------------
    template <class T>
    T run_until_complete(Coro<T> coro);
    /// The task's result, copied (the task keeps it, as asyncio's future.result()); a
    /// move-only result is moved out.
    template <class T>
    T run_until_complete(Task<T> task);
    /// asyncio's run_until_complete(future): runs until `fut` is done and returns (a copy of)
    /// its result, or throws its exception. ValueError for a future of another loop. Defined in
    /// aio/detail/loop_futures.hpp.
    template <class T>
    T run_until_complete(Future<T> fut);
    void run_forever();
    void stop() noexcept { stopping_ = true; }
    bool is_running() const noexcept { return running_; }
    bool is_closed() const noexcept { return closed_; }
    /// Drops everything still scheduled, destroys the frames of pending tasks (reporting
    /// each), shuts the default executor down and marks the loop closed. Throws
    /// RuntimeError if the loop is running.
    void close();

    // --- debug and errors ----------------------------------------------------------------
    bool get_debug() const noexcept { return debug_; }
    void set_debug(bool on) noexcept { debug_ = on; }
    /// In debug mode, a callback or task step taking longer than this (real time) is logged.
    Duration slow_callback_duration = std::chrono::milliseconds(100);

    using ExceptionHandler = std::function<void(EventLoop&, const ExceptionContext&)>;
    void set_exception_handler(ExceptionHandler h) { exception_handler_ = std::move(h); }
    const ExceptionHandler& get_exception_handler() const noexcept { return exception_handler_; }
    /// Reports an error nobody else can receive; never throws.
    void call_exception_handler(const ExceptionContext& ctx) noexcept;
    /// Prints ctx to the log sink (standard error by default).
    void default_exception_handler(const ExceptionContext& ctx) noexcept;

    /// Where the default handler and debug warnings write; standard error by default.
    using LogSink = std::function<void(std::string_view)>;
    void set_log_sink(LogSink sink) { log_sink_ = std::move(sink); }
    void log(std::string_view line) noexcept;

    // --- executor ------------------------------------------------------------------------
    ThreadPoolExecutor& default_executor();
    /// asyncio's set_default_executor(): run_in_executor and to_thread use `executor` from now
    /// on. A previous default executor stops taking jobs; the jobs it has run on and their
    /// completions still reach this loop, and its workers are joined by a detached thread (as
    /// shutdown_default_executor's timeout abandons one), so the loop's thread does not block.
    /// ValueError for a null executor; RuntimeError on a closed loop or another thread.
    void set_default_executor(std::unique_ptr<ThreadPoolExecutor> executor);
    /// Runs job on the default executor, destroys it there, then calls and destroys `done`
    /// on the loop's thread (so what job and done share is released on the loop's thread).
    virtual void run_in_executor(std::function<void()> job, std::function<void()> done);
    /// asyncio's run_in_executor(None, f, *args): runs f(args...) on the default executor and
    /// returns a Future (of this loop) of its result or exception. Cancelling the future does
    /// not stop f; its result is then dropped. f and args are destroyed on the loop's thread.
    /// A coroutine function does not compile (asyncio: TypeError). Defined in
    /// aio/detail/loop_futures.hpp (included at the end of this header).
    template <class F, class... Args>
        requires std::is_invocable_v<F&, Args&...> && (!is_coro_v<std::invoke_result_t<F&, Args&...>>)
    Future<std::invoke_result_t<F&, Args&...>> run_in_executor(std::nullptr_t executor, F f, Args... args);
    /// A coroutine function: asyncio raises TypeError; here it does not compile (the 2-argument
    /// overload would otherwise take it as a std::function<void()> that drops the coroutine).
    template <class F, class... Args>
        requires std::is_invocable_v<F&, Args&...> && is_coro_v<std::invoke_result_t<F&, Args&...>>
    void run_in_executor(std::nullptr_t executor, F f, Args... args) = delete;
    /// A way back to this loop for other threads that may outlive it: link->post(fn) is
    /// call_soon_threadsafe(fn) while the loop is open, and destroys fn on the posting thread
    /// once it is closed (aio::wrap_future's delivery). Call it on the loop's thread.
    std::shared_ptr<detail::ExecutorLink> threadsafe_link();
    /// asyncio's shutdown_default_executor(timeout) (Python 3.13's; see README, Differences):
    /// waits (in the loop) for the queued jobs and the workers. With a timeout, after that long
    /// it reports "The executor did not finishing joining its threads within N seconds." to the
    /// exception handler (asyncio's RuntimeWarning, typo included), stops waiting and abandons
    /// the executor: its workers finish their jobs on their own and are joined by a detached
    /// thread; a job's completion that arrives after the loop closed is dropped on the worker
    /// thread (its `done` is destroyed there, not on the loop's thread). nullopt: no timeout.
    Coro<void> shutdown_default_executor(std::optional<Duration> timeout = std::nullopt);

    // --- async generators (aio/async_generator.hpp) ---------------------------------------
    /// asyncio's shutdown_asyncgens(): closes (aclose(), one task each, concurrently) every
    /// generator first iterated on this loop that is still suspended, in first-iteration order;
    /// a close that fails with an exception other than CancelledError is reported to the
    /// exception handler ("an error occurred during closing of asynchronous generator NAME").
    /// A generator first iterated afterwards is logged (asyncio's ResourceWarning).
    Coro<void> shutdown_asyncgens();
    detail::AsyncGenRegistry& asyncgen_registry() noexcept { return asyncgens_; }

    // --- I/O: file descriptors (asyncio's add_reader & co.) -------------------------------
    // The real loop watches them with epoll (level-triggered, as asyncio's selector does): while
    // fd is readable (writable) the callback is scheduled once per pass. Adding a reader (writer)
    // to an fd that has one replaces it. A loop without OS file descriptors (the simulator)
    // throws RuntimeError. Registrations do not keep fd open: close it only after removing them
    // (a closed fd with a registration is dropped from epoll by the kernel; remove_* still
    // forgets it).
    void add_reader(int fd, std::function<void()> cb);
    /// True when fd had a reader.
    bool remove_reader(int fd);
    void add_writer(int fd, std::function<void()> cb);
    bool remove_writer(int fd);

    // --- I/O: sockets (asyncio's sock_*; fd is a non-blocking socket) ---------------------
    // Each tries the operation at once and waits for readiness only on EAGAIN. Cancelling one
    // leaves no registration behind. Errors are aio/net/errors.hpp's (ConnectionRefusedError,
    // ConnectionResetError, BrokenPipeError, ... carrying errno and the operation).
    // In debug mode (set_debug(true)) a blocking fd is ValueError("the socket must be
    // non-blocking"), as asyncio's.
    /// connect(2); a failure after EINPROGRESS says "[Errno 111] Connect call failed ADDR" as
    /// asyncio's, one connect(2) reports at once says strerror ("[Errno 2] No such file ...").
    Coro<void> sock_connect(int fd, SocketAddress address);
    /// The accepted connection (non-blocking, close-on-exec) and the peer's address.
    Coro<std::pair<Socket, SocketAddress>> sock_accept(int fd);
    /// Up to n bytes; empty at EOF.
    Coro<std::string> sock_recv(int fd, std::size_t n);
    /// Bytes received into buf (which must outlive the await); 0 at EOF.
    Coro<std::size_t> sock_recv_into(int fd, std::span<char> buf);
    /// Sends all of data (which must outlive the await).
    Coro<void> sock_sendall(int fd, std::string_view data);
    /// recvfrom(2) of up to bufsize bytes (a datagram socket's one datagram): the data and the
    /// sender's address.
    Coro<std::pair<std::string, SocketAddress>> sock_recvfrom(int fd, std::size_t bufsize);
    /// recvfrom(2) into buf (which must outlive the await), at most nbytes (0: buf's size;
    /// ValueError "nbytes is greater than the length of the buffer" past it): the count
    /// received and the sender's address.
    Coro<std::pair<std::size_t, SocketAddress>> sock_recvfrom_into(int fd, std::span<char> buf, std::size_t nbytes = 0);
    /// sendto(2) of data (which must outlive the await) to address: the count sent.
    Coro<std::size_t> sock_sendto(int fd, std::string_view data, SocketAddress address);

    // --- I/O: names and connections (asyncio's getaddrinfo, create_connection, ...) ---------
    // Virtual: the simulator answers them with its own network; code using them (the streams
    // too) does not know which loop it runs on. The real loop's: sockets and SocketTransport.

    /// getaddrinfo(3) in the default executor (it blocks). An empty host or port is Python's
    /// None (NULL). gaierror with the EAI_* code ("[Errno -2] Name or service not known");
    /// EAI_SYSTEM is the OSError of its errno.
    virtual Coro<std::vector<AddrInfo>> getaddrinfo(std::string host, std::string port, AddrInfoHints hints = {});
    /// Connects to host:port (a numeric address, or a name resolved with getaddrinfo) trying
    /// each address in order, and returns the transport once connection_made() ran. All failing:
    /// the one error, or OSError("Multiple exceptions: ...") when they differ (asyncio's). An
    /// empty host is Python's None (the loopback addresses).
    virtual Coro<std::shared_ptr<Transport>> create_connection(ProtocolFactory factory, std::string host,
                                                               std::uint16_t port, ConnectOptions options = {});
    virtual Coro<std::shared_ptr<Transport>> create_unix_connection(ProtocolFactory factory, std::string path);
    /// Listens on every address host resolves to (host "": all interfaces, Python's None;
    /// port 0: the OS picks, see Server::sockets()); SO_REUSEADDR, IPV6_V6ONLY on IPv6 sockets.
    virtual Coro<Server> create_server(ProtocolFactory factory, std::string host, std::uint16_t port,
                                       ServerOptions options = {});
    /// Listens on path; a stale socket file there is removed first (asyncio's; 3.12 leaves the
    /// file behind when the server closes).
    virtual Coro<Server> create_unix_server(ProtocolFactory factory, std::string path, ServerOptions options = {});
    /// A transport over a socket connected by other means (asyncio's connect_accepted_socket);
    /// the real loop's only (a Socket is an OS descriptor).
    Coro<std::shared_ptr<Transport>> connect_accepted_socket(ProtocolFactory factory, Socket sock);

    // --- signals (asyncio's add_signal_handler; the real loop's main use: Ctrl-C) ----------
    // The C-level handler only writes the signal's number to this loop's socketpair (made on
    // first use, closed with the loop); the loop reads it and schedules cb. A signal has one
    // handler in the process: adding one replaces any other loop's (and aio::run's Ctrl-C
    // handler). close() removes this loop's handlers. SA_RESTART: other threads' blocking calls
    // are not interrupted. A forked child ignores the signals its parent's loops handled until it
    // adds handlers of its own (asyncio resets the wakeup fd in the child).
    /// Calls cb on the loop (as a callback of a later pass, never inside the signal handler)
    /// each time signum arrives (two arrivals before the loop reads them: two calls); replaces
    /// a previous handler of signum. ValueError("invalid signal number N") unless signum is in
    /// Python's signal.valid_signals(); RuntimeError("sig N cannot be caught") for SIGKILL and
    /// SIGSTOP, and off the main thread (as asyncio), on a closed loop, or on a loop without
    /// OS file descriptors (the simulator).
    void add_signal_handler(int signum, std::function<void()> cb);
    /// asyncio raises TypeError for a coroutine function: here it does not compile (a
    /// std::function<void()> would silently drop the coroutine it creates).
    template <class F>
        requires std::is_invocable_v<F&> && is_coro_v<std::invoke_result_t<F&>>
    void add_signal_handler(int, F&&) {
        static_assert(detail::always_false<F>,
                      "coroutines cannot be used with add_signal_handler(): pass a plain function "
                      "(it may create a task with aio::create_task)");
    }
    /// True when signum had a handler of this loop; its disposition goes back to SIG_DFL
    /// (asyncio: SIG_DFL, or default_int_handler for SIGINT, whose C++ counterpart is SIG_DFL).
    /// ValueError for an invalid signal.
    bool remove_signal_handler(int signum);

    // --- internals shared with aio awaitables and the simulator --------------------------
    /// add_reader for the signals' socketpair (src/net/signals.cpp): a quiet watch, which does
    /// not make every busy pass poll the driver (as a watch does, asyncio's selector poll):
    /// a blocking wait sees it, and a busy pass polls only once a signal arrived
    /// (detail::g_signal_arrived). So aio::run's Ctrl-C handler costs no system call per pass.
    /// fd must have no reader; remove it with remove_quiet_reader().
    void add_quiet_reader(int fd, std::function<void()> cb);
    bool remove_quiet_reader(int fd);
    void push_ready(const detail::ReadyEntry& e) { ready_.push_back(e); }
    std::size_t remove_ready(const void* arg) { return ready_.remove_arg(arg); }
    void add_timer(detail::TimerNode* n, TimePoint when, detail::TaskBase* task = nullptr);
    void remove_timer(detail::TimerNode* n) noexcept {
        if (n->scheduled()) timers_.remove(n);
    }
    detail::TaskBase* current_task_raw() const noexcept { return current_task_; }
    void enter_task(detail::TaskBase* t) {
        if (current_task_) [[unlikely]]
            detail::throw_enter_task_conflict(t, current_task_);
        current_task_ = t;
    }
    void leave_task(detail::TaskBase*) noexcept { current_task_ = nullptr; }
    void task_finished(detail::TaskBase* t) noexcept;
    /// The end of a step of a task that kill_tasks() reached during that step: kills it.
    void kill_after_step(detail::TaskBase* t) noexcept;
    void link_future(detail::FutureBase* f) noexcept { futures_.push_back(f); }
    void unlink_future(detail::FutureBase* f) noexcept { futures_.remove(f); }
    /// Runs the loop until f is done (run_until_complete without the result).
    void run_until_done(detail::FutureBase& f);
    detail::LoopObserver* observer() const noexcept { return observer_; }
    void set_observer(detail::LoopObserver* o) noexcept { observer_ = o; }
    /// Who hears of the objects each step touches (detail/access_observer.hpp); null: nobody.
    detail::AccessObserver* access_observer() const noexcept { return access_observer_; }
    void set_access_observer(detail::AccessObserver* o) noexcept {
        access_observer_ = o;
        if (detail::t_running_loop == this) detail::t_access_observer = o;
        end_link_.attach(o);  // ends reach it while the loop is idle too
    }
    /// Ready entries (task steps and callbacks) this loop has run so far.
    std::uint64_t steps_run() const noexcept { return steps_; }
    void check_not_closed(const char* what) const;
    /// Throws RuntimeError when called on another thread than the one running this loop.
    void check_thread(const char* what) const { detail::check_loop_thread(this, what); }
    /// The driver's file-descriptor side; RuntimeError naming `what` when this loop has none
    /// (the simulator: its network is not made of OS file descriptors).
    /// Whether fd_driver() would give a driver (false on the simulator's loop).
    bool has_fd_driver() const noexcept { return fd_driver_ != nullptr; }
    seam::FdDriver& fd_driver(const char* what) {
        if (!fd_driver_) [[unlikely]]
            throw_no_fd_driver(what);
        return *fd_driver_;
    }
    /// The socket transports open on this loop, by fd (asyncio's _transports): this is the
    /// loop's reference to each (transport.hpp), taken when it is made and dropped after its
    /// connection_lost(); close() drops the rest (their sockets close). While a transport that
    /// is not closing holds fd, add_reader/add_writer/remove_*/sock_* on fd are RuntimeError.
    void attach_transport(int fd, std::shared_ptr<detail::SocketTransport> t);
    void detach_transport(int fd) noexcept;
    /// RuntimeError("File descriptor N is used by transport ...") as asyncio's.
    void ensure_fd_no_transport(int fd) const {
        if (!transports_.empty()) [[unlikely]]
            check_fd_transport(fd);
    }
    /// True while run_forever() runs (on some thread); readable from any thread.
    bool owned_by_a_thread() const noexcept { return owned_.load(std::memory_order_relaxed); }
    /// The loop running on this thread, or null.
    static EventLoop* running() noexcept { return detail::t_running_loop; }

protected:
    /// For a loop with its own seam (the simulator's): installs clock, driver and chooser
    /// (a null clock or driver is the real loop's, a null chooser means none) before the loop
    /// first runs, and reads the chooser's offers() once. The parts must stay alive while
    /// installed: a derived loop whose parts die first installs {} again in its destructor.
    void install_seam(const seam::Seam& parts) noexcept;
    /// True when call_soon_threadsafe() posted something the loop has not drained yet (a
    /// driver that blocks polls it).
    bool has_threadsafe() const noexcept { return inbox_.pending(); }
    const detail::TimerHeap& timers() const noexcept { return timers_; }

private:
    void run_once();
    void timers_with_chooser();
    // run_once's pass with a chooser or in debug mode, off the common path.
    [[gnu::noinline]] void run_batch_chosen();
    // One ready entry: a task's step inline, anything else through its function.
    inline void run_entry(void (*fn)(void*), void* arg);
    void fire_due_timers(TimePoint end);
    void fire_timer(detail::TimerNode* n);
    void run_entry_debug(const detail::ReadyEntry& e);
    /// `context` null: the task runs in a copy of the current context; else in that cell.
    void register_task(detail::TaskBase* t, std::string name, detail::ContextCell* context = nullptr);
    void start_eagerly(detail::TaskBase& t);
    std::uint64_t next_task_id() noexcept { return ++task_counter_; }
    void check_running_allowed();
    void drop_everything_scheduled() noexcept;
    [[noreturn]] void throw_no_fd_driver(const char* what) const;
    void check_fd_transport(int fd) const;
    void set_fd_callback(int fd, seam::FdDriver::Interest interest, std::function<void()> cb, const char* what);
    bool remove_fd_callback(int fd, seam::FdDriver::Interest interest);
    void drop_fd_callbacks() noexcept;

    template <class T>
    friend class Task;
    friend class seam::DueTimers;
    friend struct detail::EventLoopAccess;

    detail::ReadyQueue ready_;
    detail::TimerHeap timers_;
    std::uint64_t timer_seq_ = 0;
    std::uint64_t task_counter_ = 0;
    detail::TaskBase* current_task_ = nullptr;
    detail::IntrusiveList<detail::FutureBase> futures_;  // this loop's futures and tasks
    detail::LoopObserver* observer_ = nullptr;
    detail::AccessObserver* access_observer_ = nullptr;
    detail::EndLink end_link_;  // access_observer_ in this thread's list for touch_end
    // The seam. The chooser is null on the real loop; the flags are its offers(), read once.
    seam::Clock* clock_ = &steady_clock_;
    seam::Driver* driver_ = &epoll_driver_;
    seam::FdDriver* fd_driver_ = &epoll_driver_;  // null: the driver watches no fds
    seam::Chooser* chooser_ = nullptr;
    bool choose_ready_ = false;
    bool choose_timers_ = false;
    bool before_timers_ = false;
    bool timers_seam_ = false;  // choose_timers_ || before_timers_: one branch per pass
    bool choose_start_ = false;
    bool stopping_ = false;
    bool running_ = false;
    bool closed_ = false;
    bool debug_ = false;
    bool eager_tasks_ = false;
    std::size_t thread_work_ = 0;
    std::size_t quiet_watches_ = 0;  // of the fd driver's watch_count(): add_quiet_reader's
    std::uint64_t steps_ = 0;
    std::uint32_t scope_tag_ = 0;  // the innermost TagScope's tag, if tag_scope_open_
    bool tag_scope_open_ = false;
    std::atomic<bool> owned_{false};  // running: other threads read it in check_thread()

    ExceptionHandler exception_handler_;
    LogSink log_sink_;

    // Cold: the real loop's seam parts, and fire_due_timers' scratch (used only with a chooser).
    // Before the inbox and the executor: they outlive any worker that could still post and wake.
    seam::SteadyClock steady_clock_;
    detail::EpollDriver epoll_driver_{ready_};
    // add_reader/add_writer's callbacks, indexed by fd (each watch's entry points to its node).
    std::vector<detail::Ref<detail::RefCounted>> fd_callbacks_[2];
    std::unordered_map<int, std::shared_ptr<detail::SocketTransport>> transports_;
    std::vector<detail::TimerNode*> due_;
    std::vector<unsigned char> due_fired_;
    // The tasks whose step is under way beneath an eager first step (start_eagerly), and the
    // kills that wait for the end of a step (kill_tasks from inside it).
    std::vector<detail::TaskBase*> outer_steps_;
    std::vector<std::pair<detail::Ref<detail::TaskBase>, std::exception_ptr>> deferred_kills_;
    std::map<std::string, std::string, std::less<>> host_aliases_;  // lower-case name -> address

    detail::ThreadsafeInbox inbox_;

    detail::AsyncGenRegistry asyncgens_;
    std::unique_ptr<ThreadPoolExecutor> executor_;
    // What the executor's workers post through: the loop while it is open, null after close()
    // (so a job of an abandoned executor that finishes later drops its completion).
    std::shared_ptr<detail::ExecutorLink> executor_link_;
};

namespace detail {
/// Internals only tests read.
struct EventLoopAccess {
    static std::size_t ready_size(const EventLoop& l) noexcept { return l.ready_.size(); }
    static std::size_t timer_count(const EventLoop& l) noexcept { return l.timers_.size(); }
    static std::size_t thread_work_in_flight(const EventLoop& l) noexcept { return l.thread_work_; }
    static std::size_t transport_count(const EventLoop& l) noexcept { return l.transports_.size(); }
};
}  // namespace detail

/// The loop running on this thread; throws RuntimeError("no running event loop") if none.
EventLoop& get_running_loop();

namespace detail {
inline TaskBase& require_current_task(const char* what) {
    EventLoop* loop = t_running_loop;
    TaskBase* t = loop ? loop->current_task_raw() : nullptr;
    if (!t) [[unlikely]]
        throw_no_current_task(what);
    return *t;
}
}  // namespace detail

/// The global debug default: true when the environment variable AIO_DEBUG is set to a
/// non-empty value (asyncio's PYTHONASYNCIODEBUG).
bool debug_from_environment() noexcept;

}  // namespace aio

#include "aio/task.hpp"
#include "aio/detail/loop_futures.hpp"
