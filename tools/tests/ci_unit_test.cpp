// explore's CI pieces in isolation: JUnit escaping and timing, shard options.
#include <doctest/doctest.h>

#include <aio/errors.hpp>

#include "junit.hpp"
#include "shard.hpp"

TEST_CASE("xml_escape: the five entities, control characters and bad UTF-8 as \\xNN, good UTF-8 kept") {
    using aio::cli::xml_escape;
    CHECK(xml_escape("a<b>&\"c'") == "a&lt;b&gt;&amp;&quot;c&apos;");
    CHECK(xml_escape("tab\tline\nret\r") == "tab\tline\nret\r");
    CHECK(xml_escape(std::string("nul\0esc\x1b", 8)) == "nul\\x00esc\\x1b");
    CHECK(xml_escape("caf\xc3\xa9 \xe2\x86\x92") == "caf\xc3\xa9 \xe2\x86\x92");
    CHECK(xml_escape("bad \xc3 end") == "bad \\xc3 end");
    CHECK(xml_escape("\xed\xa0\x80") == "\\xed\\xa0\\x80");  // a surrogate
    CHECK(xml_escape("\xef\xbf\xbe") == "\\xef\\xbf\\xbe");  // U+FFFE is no XML character
}

TEST_CASE("without_timing cuts the rate and seconds from summary lines only") {
    CHECK(
        aio::cli::without_timing("x 5 runs/s (1 s, 1 job)\nsummary: 60 runs, 0 failed, 2 distinct traces, 6388 runs/s "
                                 "(0.01 s, 2 jobs)\nlast\n") ==
        "x 5 runs/s (1 s, 1 job)\nsummary: 60 runs, 0 failed, 2 distinct traces\nlast\n");
}

TEST_CASE("format_junit: counts match the cases, attributes escaped") {
    aio::cli::JunitSuite s;
    s.name = "aiosim.explore.a&b";
    s.cases.push_back({"corpus x.replay", aio::cli::JunitCase::Result::skipped, "stale: <old>", "", "", "", 0});
    s.cases.push_back({"explore", aio::cli::JunitCase::Result::failure, "FAILED: 1 of 2", "failure", "a\"b", "", 0.5});
    const std::string x = aio::cli::format_junit(s);
    CHECK(x.find("<testsuite name=\"aiosim.explore.a&amp;b\" tests=\"2\" failures=\"1\" errors=\"0\" skipped=\"1\" "
                 "time=\"0.000\">") != std::string::npos);
    CHECK(x.find("<skipped message=\"stale: &lt;old&gt;\"/>") != std::string::npos);
    CHECK(x.find("<failure message=\"FAILED: 1 of 2\" type=\"failure\">a&quot;b</failure>") != std::string::npos);
    CHECK(x.find("name=\"explore\" time=\"0.500\"") != std::string::npos);
}

TEST_CASE("resolve_shard: the options win over the environment; both or neither; the index below the total") {
    using aio::cli::resolve_shard;
    const auto s = resolve_shard(2, 5, std::string("9"), std::string("1"));
    CHECK(s.index == 2);
    CHECK(s.total == 5);
    const auto e = resolve_shard(std::nullopt, std::nullopt, std::string("9"), std::string("1"));
    CHECK(e.index == 1);
    CHECK(e.total == 9);
    const auto none = resolve_shard(std::nullopt, std::nullopt, std::nullopt, std::nullopt);
    CHECK(none.total == 1);
    CHECK_THROWS_WITH_AS(resolve_shard(1, std::nullopt, std::nullopt, std::nullopt),
                         doctest::Contains("--shard-index without --shard-total"), aio::ValueError);
    CHECK_THROWS_WITH_AS(resolve_shard(std::nullopt, 3, std::nullopt, std::nullopt),
                         doctest::Contains("--shard-total without --shard-index"), aio::ValueError);
    CHECK_THROWS_WITH_AS(resolve_shard(3, 3, std::nullopt, std::nullopt),
                         doctest::Contains("--shard-index must be below --shard-total (3), got 3"), aio::ValueError);
}
