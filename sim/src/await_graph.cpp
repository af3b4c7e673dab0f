// The blocked-task report: what every pending task awaits, and the await cycles among them.
#include "await_graph.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <any>
#include <map>
#include <set>
#include <string_view>

#include "aio/detail/gather_state.hpp"
#include "aio/detail/task_state.hpp"
#include "aio/detail/wait_note.hpp"
#include "aio/net/address.hpp"
#include "aio/net/transport.hpp"
#include "aio/task.hpp"

namespace aio::sim::loop_parts {

namespace {

constexpr std::size_t report_max_tasks = 50;
constexpr std::size_t report_max_cycles = 20;
constexpr std::size_t report_max_cycle_members = 20;
constexpr std::size_t report_max_gather_children = 8;
constexpr std::size_t cycle_id_slack = 1024;

std::string where(const std::source_location& l) {
    std::string_view f = l.file_name();
    if (auto slash = f.find_last_of("/\\"); slash != std::string_view::npos) f = f.substr(slash + 1);
    return fmt::format("{}:{} in {}", f, l.line(), l.function_name());
}

void replace_all(std::string& s, const std::string& from, const std::string& to) {
    for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
        s.replace(at, from.size(), to);
}

}  // namespace

std::string label(const aio::detail::TaskBase& t) { return fmt::format("#{} '{}'", t.id(), t.name()); }

std::vector<BlockedTask> blocked_tasks(const EventLoop& loop, const std::vector<HostInfo>& hosts) {
    std::vector<BlockedTask> out;
    const bool named_hosts = hosts.size() > 1;
    // The connection ends tasks wait on: (connection, this end's address) per task index.
    std::map<std::uint64_t, std::vector<std::pair<std::size_t, std::string>>> ends;
    for (const AnyTask& h : loop.all_tasks()) {
        const aio::detail::TaskBase& t = *h.state_ptr();
        BlockedTask b{t.id(), t.name(), {}, {}, t.created_at(), {}};
        if (named_hosts) b.host = t.tag() < hosts.size() ? hosts[t.tag()].name : fmt::format("host {}", t.tag());
        aio::detail::Waitable* w = t.waiting_on();
        auto* f = w ? dynamic_cast<aio::detail::FutureBase*>(w) : nullptr;
        if (&t == loop.current_task_raw()) {
            b.awaits = "nothing (it is running now)";
        } else if (!w) {
            b.awaits = t.started() ? "nothing the loop knows of (ready to run, or suspended on an awaitable that did "
                                     "not register with the task)"
                                   : "its first step (not started yet)";
        } else if (f && f->is_task()) {
            auto& o = static_cast<const aio::detail::TaskBase&>(*f);
            b.awaits = "Task " + label(o);
            b.waits_for.push_back(o.id());
        } else if (auto* g = f ? dynamic_cast<const aio::detail::GatherBase*>(f) : nullptr) {
            std::string parts;
            std::size_t listed = 0;
            for (const aio::detail::TaskBase* c : g->children()) {
                if (!c->done()) b.waits_for.push_back(c->id());
                if (listed == report_max_gather_children) continue;  // a million children: name a few
                if (listed++) parts += ", ";
                parts += label(*c);
                if (c->done()) parts += " (done)";
            }
            if (g->children().size() > listed) parts += fmt::format(" and {} more", g->children().size() - listed);
            b.awaits = "gather(" + parts + ")";
        } else if (const aio::detail::WaitNote* n = t.wait_note()) {
            b.awaits = aio::detail::describe_wait_note(*n);
            if (n->transport && n->kind != aio::detail::WaitNote::Kind::connect) {
                const std::any id = n->transport->get_extra_info("connection");
                const auto local = n->transport->sockname();
                if (const auto* conn = std::any_cast<std::uint64_t>(&id); conn && local)
                    ends[*conn].emplace_back(out.size(), local->str());
            }
            if (named_hosts)
                for (const HostInfo& hi : hosts) replace_all(b.awaits, hi.address + ":", hi.name + ":");
        } else {
            b.awaits = t.waiting_description();
        }
        out.push_back(std::move(b));
    }
    // Each end waits for the other: the peer task is the one that would write (or read).
    for (const auto& [conn, waiting] : ends)
        for (const auto& [i, local] : waiting)
            for (const auto& [j, other] : waiting)
                if (other != local) out[i].waits_for.push_back(out[j].id);
    return out;
}

// Every cycle a depth-first search over "awaits" meets (one per edge back into the path),
// each starting at its smallest id. The search keeps its own stack: a chain of a million
// tasks is a path a million deep. Recording stops once the cycles hold twice as many ids as
// there are tasks plus cycle_id_slack, which bounds the work (and the exception's size) in
// graphs where many edges lead back into a long path.
std::vector<std::vector<std::uint64_t>> find_cycles(const std::vector<BlockedTask>& tasks) {
    constexpr std::size_t none = SIZE_MAX;
    std::vector<std::pair<std::uint64_t, std::size_t>> by_id;
    by_id.reserve(tasks.size());
    for (std::size_t i = 0; i < tasks.size(); ++i) by_id.emplace_back(tasks[i].id, i);
    std::sort(by_id.begin(), by_id.end());
    auto index_of = [&](std::uint64_t id) {
        auto it = std::lower_bound(by_id.begin(), by_id.end(), std::pair<std::uint64_t, std::size_t>(id, 0));
        return it != by_id.end() && it->first == id ? it->second : none;
    };
    enum : unsigned char { unseen, on_path, finished };
    std::vector<unsigned char> color(tasks.size(), unseen);
    std::vector<std::size_t> path_pos(tasks.size(), none);
    struct Visit {
        std::size_t task;
        std::size_t next_edge;
    };
    std::vector<Visit> visits;
    std::vector<std::uint64_t> path;
    std::set<std::vector<std::uint64_t>> found;
    std::vector<std::vector<std::uint64_t>> out;
    const std::size_t budget = 2 * tasks.size() + cycle_id_slack;
    std::size_t recorded = 0;
    auto enter = [&](std::size_t i) {
        color[i] = on_path;
        path_pos[i] = path.size();
        path.push_back(tasks[i].id);
        visits.push_back({i, 0});
    };
    for (std::size_t root = 0; root < tasks.size(); ++root) {
        if (color[root] != unseen) continue;
        enter(root);
        while (!visits.empty()) {
            Visit& v = visits.back();
            const auto& edges = tasks[v.task].waits_for;
            if (v.next_edge == edges.size()) {
                color[v.task] = finished;
                path.pop_back();
                visits.pop_back();
                continue;
            }
            const std::size_t j = index_of(edges[v.next_edge++]);
            if (j == none) continue;
            if (color[j] == unseen) {
                enter(j);
            } else if (color[j] == on_path && recorded < budget) {
                std::vector<std::uint64_t> cyc(path.begin() + static_cast<std::ptrdiff_t>(path_pos[j]), path.end());
                std::rotate(cyc.begin(), std::min_element(cyc.begin(), cyc.end()), cyc.end());
                recorded += cyc.size();
                if (found.insert(cyc).second) out.push_back(std::move(cyc));
            }
        }
    }
    return out;
}

std::string format_blocked(const std::vector<BlockedTask>& tasks,
                           const std::vector<std::vector<std::uint64_t>>& cycles) {
    std::string s;
    if (tasks.empty()) s += "  (none)\n";
    std::size_t shown = 0;
    for (const auto& b : tasks) {
        if (++shown > report_max_tasks) {
            s += fmt::format("  ... and {} more\n", tasks.size() - report_max_tasks);
            break;
        }
        s += fmt::format("  #{} '{}'{} awaits {}; created at {}\n", b.id, b.name,
                         b.host.empty() ? std::string() : " on host " + b.host, b.awaits, where(b.created_at));
    }
    // A long cycle shows its first and last members: the message stays readable and small.
    auto hidden = [](const std::vector<std::uint64_t>& c, std::size_t k) {
        const std::size_t head = report_max_cycle_members / 2;
        return c.size() > report_max_cycle_members && k >= head && k < c.size() - head;
    };
    std::map<std::uint64_t, std::string> names;  // of the members shown: 'name', or 'name'@host
    for (std::size_t i = 0; i < std::min(cycles.size(), report_max_cycles); ++i)
        for (std::size_t k = 0; k < cycles[i].size(); ++k)
            if (!hidden(cycles[i], k)) names.emplace(cycles[i][k], "''");
    for (const auto& b : tasks)
        if (auto it = names.find(b.id); it != names.end())
            it->second = fmt::format("'{}'{}", b.name, b.host.empty() ? std::string() : "@" + b.host);
    auto name_of = [&](std::uint64_t id) { return names[id]; };
    std::size_t cycles_shown = 0;
    for (const auto& c : cycles) {
        if (++cycles_shown > report_max_cycles) {
            s += fmt::format("... and {} more await cycles (Deadlock::cycles() lists them)\n",
                             cycles.size() - report_max_cycles);
            break;
        }
        s += "Await cycle: ";
        for (std::size_t k = 0; k < c.size(); ++k) {
            if (hidden(c, k)) {
                const std::size_t skipped = c.size() - report_max_cycle_members;
                s += fmt::format("({} more) -> ", skipped);
                k += skipped - 1;
                continue;
            }
            s += fmt::format("#{} {} -> ", c[k], name_of(c[k]));
        }
        s += fmt::format("#{} {}\n", c.front(), name_of(c.front()));
    }
    return s;
}

std::string pending_report(const EventLoop& loop, const std::vector<HostInfo>& hosts) {
    auto tasks = blocked_tasks(loop, hosts);
    return format_blocked(tasks, find_cycles(tasks));
}

}  // namespace aio::sim::loop_parts
