#pragma once
// aio::sim::Network: named hosts and the connections between them. The same user code runs on
// the real loop and in the simulator: it opens connections with aio::open_connection("db", 5432)
// and serves with aio::start_server(cb, "", 5432) (or the loop's create_connection /
// create_server), and the running loop decides what that means.
//
//     aio::Coro<void> amain() {
//         aio::sim::Network& net = aio::sim::network();
//         net.add_host("db", [] { return serve_db(); });        // its start coroutine, a task on db
//         aio::sim::Host& app = net.add_host("app");
//         co_await app.spawn(client(), "client");                // a task on app
//     }
//
//  - On a SimLoop: a simulated network in virtual time (sim/src/net/): hosts have addresses
//    10.0.0.N (N in add order; the main task's host "main" is 10.0.0.1) and names in a
//    simulated DNS (getaddrinfo); no real socket, port or address exists; every delay and fault
//    is a decision of the run's decision source (net_config.hpp). A task runs on a host: the
//    one it was spawned on, else its creator's; the main task on "main". A server binds on its
//    host's address; a connection's local end is its host's address with a port counted up
//    from 49152 per host. A server's protocol callbacks run on its host, so the streams'
//    client_connected_cb tasks are the server host's. Unknown names are gaierror as the real
//    loop's; a connect that waits across a partition longer than NetConfig::connect_timeout fails
//    with the real loop's OSError ETIMEDOUT; Unix sockets are RuntimeError.
//  - On any other loop (the real one): this machine. Each host name resolves to its own loopback
//    address (127.0.0.N: Linux routes all of 127/8 to lo), through the loop's host aliases
//    (EventLoop::add_host_alias), so servers of different hosts may use the same port when they
//    bind their host's address (start_server(cb, "", port) there is every interface); spawn()
//    is create_task under the host's task tag; the controls below throw aio::RuntimeError
//    ("needs the simulator"); fault_point() never fires.
//
// Crash (a fault, or crash()): every task on the host stops at once, as a killed process's
// threads do: none of them runs another step, so no catch block and no code after an await
// of theirs runs. Their coroutine frames are destroyed when the host crashes, so destructors of
// objects in those frames (RAII) do run, at the crash, as the simulated process's memory goes;
// they must not expect to reach the network (their transports are already reset). Awaiting a
// crashed task from another host gives aio::sim::HostCrashed. The host's connections reset
// (their peers see ConnectionResetError after the data in flight), its listeners vanish
// (connects are refused). restart() (or the fault's restart_delay) runs its start coroutine
// again as a fresh task; what survives is only what the scenario keeps outside the host's
// tasks, by convention in Host::disk().
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "aio/coro.hpp"
#include "aio/errors.hpp"
#include "aio/event_loop.hpp"
#include "aio/task.hpp"

namespace aio::sim {

/// What awaiting a task of a crashed host gives.
class HostCrashed : public aio::RuntimeError {
public:
    using aio::RuntimeError::RuntimeError;
};

/// A host's start coroutine: run when the host is added and again at each restart.
using HostStart = std::function<Coro<void>()>;

class Host {
public:
    virtual ~Host() = default;
    const std::string& name() const noexcept { return name_; }
    /// "10.0.0.2" in the simulator, "127.0.0.2" on the real loop.
    const std::string& address() const noexcept { return address_; }
    /// False while crashed.
    virtual bool up() const noexcept = 0;
    /// State that survives a crash and restart (the host's "disk"): the scenario's to use.
    std::map<std::string, std::string, std::less<>>& disk() noexcept { return disk_; }

    /// create_task on this host: the task and every task it creates run on this host.
    template <class T>
    Task<T> spawn(Coro<T> coro, std::string name = {}) {
        auto scope = enter();
        return aio::create_task(std::move(coro), std::move(name));
    }

protected:
    Host(std::string name, std::string address) : name_(std::move(name)), address_(std::move(address)) {}
    /// While the returned object lives, tasks created on this thread's running loop are created on
    /// this host.
    virtual std::shared_ptr<void> enter() = 0;

private:
    std::string name_;
    std::string address_;
    std::map<std::string, std::string, std::less<>> disk_;
};

class Network {
public:
    virtual ~Network() = default;
    /// Adds a host (its name must be new: ValueError otherwise); with `start`, runs start() as a
    /// task on it now (named "<host>:start") and after each restart.
    virtual Host& add_host(std::string name, HostStart start = {}) = 0;
    /// The host called `name` (ValueError when there is none); "main" always exists.
    virtual Host& host(std::string_view name) = 0;
    /// The host of the running task.
    virtual Host& current_host() = 0;
    virtual std::vector<Host*> hosts() = 0;
    /// Whether this is the simulated network (false: this machine's loopback).
    virtual bool simulated() const noexcept = 0;

    // --- explicit faults (the simulator only; RuntimeError on the real loop) ---------------
    /// Nothing crosses between a and b, both ways, until repair(a, b): segments wait (TCP
    /// retransmits), connects wait up to NetConfig::connect_timeout.
    virtual void partition(std::string_view a, std::string_view b) = 0;
    virtual void repair(std::string_view a, std::string_view b) = 0;
    /// Crash now (see above); restart() runs the start coroutine again.
    virtual void crash(std::string_view host) = 0;
    virtual void restart(std::string_view host) = 0;
    /// Holds every connection's direction from `from` to `to`: segments wait until release().
    virtual void hold(std::string_view from, std::string_view to) = 0;
    virtual void release(std::string_view from, std::string_view to) = 0;
};

/// The running loop's network: on a SimLoop its simulated network, on any other loop the
/// loopback one (made on first use, one per loop). RuntimeError without a running loop.
Network& network();

/// A "buggify" point: in the simulator, a decision ('b') whether a fault fires here (counted
/// against the run's fault budget; never when faults are off); returns true when it fires, and
/// the caller injects its own misbehaviour. Elsewhere it returns false at once. Awaiting it
/// never suspends.
Coro<bool> fault_point(std::string_view name);

}  // namespace aio::sim
