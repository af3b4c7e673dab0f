#include "program.hpp"

#include <fmt/format.h>

namespace aio::props {

namespace {

void list_block(const Block& b, int indent, std::string& out);

std::string nodes_list(const std::vector<NodeId>& v) {
    std::string s;
    for (NodeId n : v) s += fmt::format("{}n{}", s.empty() ? "" : ", ", n);
    return s;
}

void list_stmt(const Stmt& s, int indent, std::string& out) {
    const std::string pad(static_cast<std::size_t>(indent) * 2, ' ');
    using K = Stmt::Kind;
    switch (s.kind) {
    case K::sleep: out += fmt::format("{}sleep phase {}\n", pad, s.n); break;
    case K::yield: out += fmt::format("{}yield\n", pad); break;
    case K::raise: out += fmt::format("{}raise {}\n", pad, s.n); break;
    case K::spawn: out += fmt::format("{}spawn n{}\n", pad, s.node); break;
    case K::await_task: out += fmt::format("{}await n{}\n", pad, s.node); break;
    case K::gather: out += fmt::format("{}gather({})\n", pad, nodes_list(s.nodes)); break;
    case K::cancel: out += fmt::format("{}cancel n{}\n", pad, s.node); break;
    case K::nested_run: out += fmt::format("{}nested run\n", pad); break;
    case K::task_group: out += fmt::format("{}task_group({})\n", pad, nodes_list(s.nodes)); break;
    case K::wait_for: out += fmt::format("{}wait_for(n{}, phase {}.5)\n", pad, s.node, s.n); break;
    case K::timeout:
        out += fmt::format("{}timeout phase {}.5\n", pad, s.n);
        list_block(s.body, indent + 1, out);
        break;
    case K::try_catch:
        out += fmt::format("{}try\n", pad);
        list_block(s.body, indent + 1, out);
        out += fmt::format("{}catch\n", pad);
        list_block(s.handler, indent + 1, out);
        break;
    }
}

void list_block(const Block& b, int indent, std::string& out) {
    for (const Stmt& s : b) list_stmt(s, indent, out);
}

int count_block(const Block& b, Stmt::Kind k) {
    int n = 0;
    for (const Stmt& s : b) {
        if (s.kind == k) ++n;
        n += count_block(s.body, k) + count_block(s.handler, k);
    }
    return n;
}

}  // namespace

std::string to_string(const Program& p) {
    std::string out = p.phased ? "" : "(unphased)\n";
    for (std::size_t i = 0; i < p.nodes.size(); ++i) {
        out += fmt::format("n{} (value {}{}):\n", i, p.nodes[i].value,
                           p.nodes[i].parent >= 0 ? fmt::format(", parent n{}", p.nodes[i].parent) : "");
        list_block(p.nodes[i].body, 1, out);
    }
    return out;
}

int count(const Program& p, Stmt::Kind k) {
    int n = 0;
    for (const Node& node : p.nodes) n += count_block(node.body, k);
    return n;
}

}  // namespace aio::props
