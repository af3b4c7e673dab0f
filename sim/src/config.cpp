#include "aio/sim/config.hpp"

#include "aio/sim/replay.hpp"

namespace aio::sim {

Config Config::from_replay(std::string_view replay_string) {
    Config c;
    c.schedule = Schedule::parse(replay_string);
    return c;
}

}  // namespace aio::sim
