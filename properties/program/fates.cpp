#include "fates.hpp"

#include <fmt/format.h>

namespace aio::props {

std::string to_string(const Fate& f, bool with_time) {
    const std::string t = with_time ? fmt::format(" end={}", f.end) : "";
    switch (f.kind) {
    case Fate::Kind::not_spawned: return "not_spawned";
    case Fate::Kind::pending: return fmt::format("pending started={} cleanups={}", int(f.started), f.cleanups);
    case Fate::Kind::returned: return fmt::format("returned {}{} cleanups={}", f.value, t, f.cleanups);
    case Fate::Kind::raised: return fmt::format("raised {}{} cleanups={}", f.error, t, f.cleanups);
    case Fate::Kind::cancelled: return fmt::format("cancelled{} started={} cleanups={}", t, int(f.started), f.cleanups);
    }
    return "?";
}

std::string to_string(const Fates& o, bool with_time) {
    std::string out = fmt::format("run {}\n", to_string(o.run, with_time));
    for (std::size_t i = 0; i < o.nodes.size(); ++i)
        out += fmt::format("n{} {}\n", i, to_string(o.nodes[i], with_time));
    return out;
}

}  // namespace aio::props
