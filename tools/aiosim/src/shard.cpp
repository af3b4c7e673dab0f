#include "shard.hpp"

#include <fmt/format.h>

#include <aio/errors.hpp>

#include "numbers.hpp"

namespace aio::cli {

Shard parse_shard(const std::optional<std::string>& total, const std::optional<std::string>& index) {
    Shard shard;
    if (!total && !index) return shard;
    if (!total)
        throw aio::ValueError(
            fmt::format("TEST_SHARD_INDEX is '{}' but TEST_TOTAL_SHARDS is not set; set both (the "
                        "shard's index and the number of shards) or neither",
                        excerpt(*index)));
    const auto t = parse_whole(*total, 1, kMaxU64);
    if (!t)
        throw aio::ValueError(
            fmt::format("TEST_TOTAL_SHARDS must be a whole number from 1 to {}, got '{}'", kMaxU64, excerpt(*total)));
    shard.total = *t;
    const std::string idx = index.value_or("0");
    const auto i = parse_whole(idx, 0, shard.total - 1);
    if (!i)
        throw aio::ValueError(fmt::format("TEST_SHARD_INDEX must be an integer below TEST_TOTAL_SHARDS ({}), got '{}'",
                                          shard.total, excerpt(idx)));
    shard.index = *i;
    shard.source = "TEST_SHARD_INDEX/TEST_TOTAL_SHARDS";
    return shard;
}

Shard resolve_shard(const std::optional<std::uint64_t>& option_index, const std::optional<std::uint64_t>& option_total,
                    const std::optional<std::string>& env_total, const std::optional<std::string>& env_index) {
    if (!option_index && !option_total) return parse_shard(env_total, env_index);
    if (!option_index || !option_total)
        throw aio::ValueError(fmt::format(
            "{} without {}: give both (--shard-index I --shard-total K, I below K) or "
            "neither",
            option_index ? "--shard-index" : "--shard-total", option_index ? "--shard-total" : "--shard-index"));
    if (*option_index >= *option_total)
        throw aio::ValueError(
            fmt::format("--shard-index must be below --shard-total ({}), got {} (shards are numbered "
                        "from 0)",
                        *option_total, *option_index));
    return Shard{*option_index, *option_total, "--shard-index/--shard-total"};
}

}  // namespace aio::cli
