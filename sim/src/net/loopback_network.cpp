// The loopback Network of a loop that is not a SimLoop (network.hpp): this machine's loopback
// addresses, one per host (127.0.0.N), named through the loop's host aliases.
#include <fmt/format.h>

#include <utility>
#include <vector>

#include "aio/future.hpp"
#include "aio/sim/network.hpp"
#include "aio/task.hpp"
#include "loopback_network.hpp"

namespace aio::sim::net_parts {

namespace {

class LoopbackHost final : public Host {
public:
    LoopbackHost(EventLoop& loop, std::uint32_t index, std::string name, std::string address)
        : Host(std::move(name), std::move(address)), loop_(loop), index_(index) {}
    bool up() const noexcept override { return true; }
    std::uint32_t index() const noexcept { return index_; }

private:
    std::shared_ptr<void> enter() override { return std::make_shared<EventLoop::TagScope>(loop_, index_); }
    EventLoop& loop_;
    std::uint32_t index_;
};

class LoopbackNetwork final : public Network {
public:
    explicit LoopbackNetwork(EventLoop& loop) : loop_(loop), anchor_(loop) { make_host("main"); }

    /// False once the loop this network was made for is gone (its futures are detached).
    bool alive() const noexcept { return anchor_.state()->loop() != nullptr; }
    EventLoop* loop() const noexcept { return &loop_; }

    Host& add_host(std::string name, HostStart start) override {
        if (name.empty()) throw ValueError("aio::sim::Network::add_host(): a host needs a name");
        for (const auto& h : hosts_)
            if (h->name() == name)
                throw ValueError(fmt::format(
                    "aio::sim::Network::add_host(): there is already a host called '{}' (at {}); choose another name",
                    name, h->address()));
        LoopbackHost& h = make_host(std::move(name));
        if (start) {
            auto scope = std::make_shared<EventLoop::TagScope>(loop_, h.index());
            Task<void> t = loop_.create_task(start(), h.name() + ":start");
            (void)t;
        }
        return h;
    }
    Host& host(std::string_view name) override {
        for (const auto& h : hosts_)
            if (h->name() == name) return *h;
        std::string names;
        for (const auto& h : hosts_) names += (names.empty() ? "" : ", ") + h->name();
        throw ValueError(fmt::format(
            "aio::sim::Network::host(): no host called '{}' (hosts: {}); add it with add_host()", name, names));
    }
    Host& current_host() override {
        const std::uint32_t tag = loop_.current_tag();
        return tag < hosts_.size() ? static_cast<Host&>(*hosts_[tag]) : *hosts_[0];
    }
    std::vector<Host*> hosts() override {
        std::vector<Host*> out;
        for (auto& h : hosts_) out.push_back(h.get());
        return out;
    }
    bool simulated() const noexcept override { return false; }

    void partition(std::string_view, std::string_view) override { needs_simulator("partition"); }
    void repair(std::string_view, std::string_view) override { needs_simulator("repair"); }
    void crash(std::string_view) override { needs_simulator("crash"); }
    void restart(std::string_view) override { needs_simulator("restart"); }
    void hold(std::string_view, std::string_view) override { needs_simulator("hold"); }
    void release(std::string_view, std::string_view) override { needs_simulator("release"); }

private:
    LoopbackHost& make_host(std::string name) {
        const auto index = static_cast<std::uint32_t>(hosts_.size());
        if (index >= 254 * 255)
            throw ValueError("aio::sim::Network::add_host(): the loopback network has room for 64770 hosts");
        std::string address = fmt::format("127.0.{}.{}", index / 254, index % 254 + 1);
        loop_.add_host_alias(name, address);
        hosts_.push_back(std::make_unique<LoopbackHost>(loop_, index, std::move(name), std::move(address)));
        return *hosts_.back();
    }
    [[noreturn]] static void needs_simulator(const char* what) {
        throw RuntimeError(fmt::format(
            "aio::sim::Network::{}() needs the simulator: on the real loop the network is this machine's loopback, "
            "which cannot be partitioned, held or crashed; run the program with aio::sim::loop_factory (or "
            "aio::sim::run) to inject faults",
            what));
    }

    EventLoop& loop_;
    Future<void> anchor_;  // never completed: detached from the loop when the loop goes
    std::vector<std::unique_ptr<LoopbackHost>> hosts_;
};

// One loopback network per loop of this thread; entries whose loop is gone are dropped.
thread_local std::vector<std::unique_ptr<LoopbackNetwork>> t_networks;

}  // namespace

Network& loopback_network(EventLoop& loop) {
    std::erase_if(t_networks, [](const std::unique_ptr<LoopbackNetwork>& n) { return !n->alive(); });
    for (auto& n : t_networks)
        if (n->loop() == &loop) return *n;
    t_networks.push_back(std::make_unique<LoopbackNetwork>(loop));
    return *t_networks.back();
}

}  // namespace aio::sim::net_parts
