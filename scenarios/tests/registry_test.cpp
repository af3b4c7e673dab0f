// The registry: what the macros register, and how mistakes are reported.
#include <doctest/doctest.h>

#include <aio/scenario.hpp>
#include <string>

namespace {
int body_a(aio::scenario::Context&) { return 0; }
int body_b(aio::scenario::Context&) { return 0; }
void oracle_a(const aio::scenario::Execution&, aio::scenario::Verdict& v) { v.fail("from oracle_a"); }
}  // namespace

AIOSIM_SCENARIO(test_registered_by_macro, "registered by the macro in registry_test.cpp") { return 7; }

TEST_CASE("a scenario registered with the macro is in the global registry with its description") {
    const auto* s = aio::scenario::Registry::global().find("test_registered_by_macro");
    REQUIRE(s != nullptr);
    CHECK(s->name == "test_registered_by_macro");
    CHECK(s->description == "registered by the macro in registry_test.cpp");
    CHECK((s->oracle == nullptr));
    CHECK(std::string(s->defined_at.file_name()).ends_with("registry_test.cpp"));
    CHECK(aio::scenario::execute(*s).exit_status == 7);
}

TEST_CASE("the global registry of this program is consistent and holds the reference twins") {
    auto& r = aio::scenario::Registry::global();
    CHECK(r.problems().empty());
    for (const char* name :
         {"run_returns_result", "gather_exception_propagates", "gather_exception_handled", "nested_run"}) {
        CAPTURE(name);
        REQUIRE(r.find(name) != nullptr);
        CHECK((r.find(name)->oracle != nullptr));
    }
}

TEST_CASE("all() lists scenarios ordered by name, whatever the registration order") {
    aio::scenario::Registry r;
    r.add("zeta", "z", &body_a);
    r.add("alpha", "a", &body_b);
    r.add("mid", "m", &body_a);
    auto all = r.all();
    REQUIRE(all.size() == 3);
    CHECK(all[0]->name == "alpha");
    CHECK(all[1]->name == "mid");
    CHECK(all[2]->name == "zeta");
}

TEST_CASE("an oracle registered before its scenario is attached when the scenario arrives") {
    aio::scenario::Registry r;
    r.add_oracle("a", &body_a, &oracle_a);
    CHECK_FALSE(r.problems().empty());  // for now, an oracle for a missing scenario
    r.add("a", "desc", &body_a);
    CHECK(r.problems().empty());
    REQUIRE(r.find("a") != nullptr);
    CHECK((r.find("a")->oracle == &oracle_a));
}

TEST_CASE("a name registered twice is a problem naming both places") {
    aio::scenario::Registry r;
    r.add("a", "first", &body_a);
    r.add("a", "second", &body_b);
    auto p = r.problems();
    REQUIRE(p.size() == 1);
    CHECK(p[0].find("'a' is registered twice") != std::string::npos);
    CHECK(p[0].find("registry_test.cpp") != std::string::npos);
    CHECK(r.find("a")->description == "first");
}

TEST_CASE("an oracle for a missing scenario, for another body, or a second oracle is a problem") {
    aio::scenario::Registry r;
    r.add("a", "desc", &body_a);
    r.add_oracle("ghost", &body_a, &oracle_a);
    r.add_oracle("a", &body_b, &oracle_a);
    auto p = r.problems();
    REQUIRE(p.size() == 2);
    CHECK(p[0].find("for another function than scenario 'a'") != std::string::npos);
    CHECK(p[1].find("scenario 'ghost', which is not registered") != std::string::npos);

    r.add_oracle("a", &body_a, &oracle_a);
    r.add_oracle("a", &body_a, &oracle_a);
    p = r.problems();
    REQUIRE(p.size() == 3);
    CHECK(p[1].find("has two oracles") != std::string::npos);
}

TEST_CASE("the unknown-name message lists the valid names and suggests the closest") {
    aio::scenario::Registry r;
    r.add("nested_run", "d", &body_a);
    r.add("gather_exception_handled", "d", &body_b);
    CHECK(r.unknown_name_message("nestedrun") ==
          "unknown scenario 'nestedrun' (did you mean 'nested_run'?); valid scenarios: gather_exception_handled, "
          "nested_run");
    CHECK(r.unknown_name_message("xyz") ==
          "unknown scenario 'xyz'; valid scenarios: gather_exception_handled, nested_run");
    aio::scenario::Registry empty;
    CHECK(empty.unknown_name_message("x").find("registers no scenarios at all; define one with AIOSIM_SCENARIO") !=
          std::string::npos);
}
