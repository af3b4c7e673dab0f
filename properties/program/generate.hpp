#pragma once
// rapidcheck generator of random programs (program.hpp). Shrinking comes from rapidcheck's
// exec(): fewer statements, fewer nodes, smaller values, and no try/raise where they are
// not needed.
#include <ostream>

#include <rapidcheck.h>

#include "program.hpp"

namespace aio::props {

struct GenOptions {
    int max_nodes = 8;
    int max_stmts = 5;  // per block
    int max_try_depth = 2;
    bool nested_run = false;  // may emit `nested run`
    bool yields = true;
    bool cancels = true;
    bool raises = true;
    bool phased = true;  // see Program::phased
    bool task_groups = true;
    bool timeouts = true;  // timeout blocks and wait_for
};

namespace detail {

class Builder {
public:
    explicit Builder(GenOptions o) : o_(o) {}

    Program build() {
        p_.phased = o_.phased;
        p_.nodes.push_back(Node{});
        std::vector<NodeId> visible;
        fill(0, visible);
        return std::move(p_);
    }

private:
    enum Choice {
        c_sleep,
        c_yield,
        c_raise,
        c_spawn,
        c_await,
        c_gather,
        c_cancel,
        c_try,
        c_nested,
        c_group,
        c_timeout,
        c_wait_for
    };

    void fill(NodeId self, std::vector<NodeId> visible) {
        p_.nodes[self].value = uniform(0, 100);
        Block b = block(self, visible, 0);
        p_.nodes[self].body = std::move(b);
    }

    NodeId new_node(NodeId parent, const std::vector<NodeId>& visible) {
        NodeId id = static_cast<NodeId>(p_.nodes.size());
        p_.nodes.push_back(Node{parent, 0, {}});
        fill(id, visible);
        return id;
    }

    // rapidcheck scales inRange by the test's size, which makes most programs trivial in short
    // runs; programs here are small anyway, so picks ignore the size.
    static int uniform(int lo, int hi) { return *rc::gen::resize(rc::kNominalSize, rc::gen::inRange(lo, hi)); }

    // A weighted pick; shrinks toward the first entry (a sleep).
    static int pick(const std::vector<std::pair<int, int>>& menu) {
        int total = 0;
        for (auto& [w, c] : menu) total += w;
        int r = uniform(0, total);
        for (auto& [w, c] : menu) {
            if (r < w) return c;
            r -= w;
        }
        return menu.front().second;
    }

    bool room() const { return static_cast<int>(p_.nodes.size()) < o_.max_nodes; }

    Block block(NodeId self, std::vector<NodeId>& visible, int depth) {
        Block b;
        // main gets a longer body, or most programs would be a lone main
        const int len = self == 0 && depth == 0 ? uniform(2, o_.max_stmts + 3) : uniform(0, o_.max_stmts + 1);
        for (int i = 0; i < len; ++i) {
            std::vector<std::pair<int, int>> menu{{4, c_sleep}};
            if (o_.yields) menu.push_back({2, c_yield});
            if (o_.raises) menu.push_back({1, c_raise});
            if (room()) menu.push_back({4, c_spawn});
            if (room()) menu.push_back({2, c_gather});
            if (room() && o_.task_groups) menu.push_back({2, c_group});
            if (!visible.empty()) menu.push_back({4, c_await});
            if (!visible.empty() && o_.cancels) menu.push_back({2, c_cancel});
            if (depth < o_.max_try_depth) menu.push_back({2, c_try});
            if (o_.nested_run) menu.push_back({1, c_nested});
            if (o_.timeouts && depth < o_.max_try_depth) menu.push_back({2, c_timeout});
            if (o_.timeouts && room()) menu.push_back({1, c_wait_for});
            Stmt s;
            switch (pick(menu)) {
            case c_sleep:
                s.kind = Stmt::Kind::sleep;
                s.n = uniform(1, 4);
                break;
            case c_yield: s.kind = Stmt::Kind::yield; break;
            case c_raise:
                s.kind = Stmt::Kind::raise;
                s.n = uniform(1, 10);
                break;
            case c_spawn:
                s.kind = Stmt::Kind::spawn;
                s.node = new_node(self, visible);
                visible.push_back(s.node);
                break;
            case c_gather: {
                s.kind = Stmt::Kind::gather;
                const int n = uniform(1, 4);
                for (int c = 0; c < n && room(); ++c) s.nodes.push_back(new_node(self, visible));
                break;
            }
            case c_await:
                s.kind = Stmt::Kind::await_task;
                s.node = *rc::gen::elementOf(visible);
                break;
            case c_cancel:
                s.kind = Stmt::Kind::cancel;
                s.node = *rc::gen::elementOf(visible);
                break;
            case c_try:
                s.kind = Stmt::Kind::try_catch;
                s.body = block(self, visible, depth + 1);
                s.handler = block(self, visible, depth + 1);
                break;
            case c_nested: s.kind = Stmt::Kind::nested_run; break;
            case c_timeout:
                s.kind = Stmt::Kind::timeout;
                s.n = uniform(1, 4);
                s.body = block(self, visible, depth + 1);
                break;
            case c_wait_for:
                s.kind = Stmt::Kind::wait_for;
                s.n = uniform(1, 4);
                s.node = new_node(self, visible);  // not visible: it has no task handle
                break;
            case c_group: {
                s.kind = Stmt::Kind::task_group;
                const int n = uniform(1, 4);
                for (int c = 0; c < n && room(); ++c) s.nodes.push_back(new_node(self, visible));
                break;
            }
            }
            const bool ends = s.kind == Stmt::Kind::raise;
            b.push_back(std::move(s));
            if (ends) break;  // nothing after a raise would run
        }
        return b;
    }

    GenOptions o_;
    Program p_;
};

}  // namespace detail

inline rc::Gen<Program> gen_program(GenOptions o = {}) {
    return rc::gen::exec([o] { return detail::Builder(o).build(); });
}

/// Phased or unphased (half each).
inline rc::Gen<Program> gen_any_program(GenOptions o = {}) {
    return rc::gen::exec([o] {
        GenOptions g = o;
        g.phased = *rc::gen::arbitrary<bool>();
        return detail::Builder(g).build();
    });
}

inline void showValue(const Program& p, std::ostream& os) { os << "\n" << to_string(p); }

}  // namespace aio::props
