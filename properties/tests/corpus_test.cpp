// The regression corpus (aio/check/corpus.hpp): its file format, saving once per signature,
// and for_all_schedules replaying it first (ExploreOptions::corpus, AIOSIM_CORPUS) and saving
// into it (ExploreOptions::save_failures, AIOSIM_SAVE_FAILURES).
#include <doctest/doctest.h>
#include <unistd.h>

#include <aio/aio.hpp>
#include <aio/check/corpus.hpp>
#include <aio/check/explore.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace corpus_test {

namespace fs = std::filesystem;
using aio::check::CorpusEntry;
using aio::check::CorpusKind;
using aio::check::CorpusVerdict;

// A fresh folder for one test case, removed after it.
struct TempDir {
    fs::path path;
    explicit TempDir(const std::string& tag)
        : path(fs::temp_directory_path() / ("aiosim-corpus-" + tag + "-" + std::to_string(::getpid()))) {
        fs::remove_all(path);
    }
    ~TempDir() { fs::remove_all(path); }
    std::string str() const { return path.string(); }
};

void write_file(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
}

std::vector<std::string> files_in(const fs::path& dir) {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
}

aio::Coro<void> put(std::string& log, char c) {
    log += c;
    co_return;
}

// Three tasks ready in one pass: "abc" in asyncio's order, another under a perturbed one.
aio::Coro<std::string> three() {
    std::string log;
    co_await aio::gather(put(log, 'a'), put(log, 'b'), put(log, 'c'));
    co_return log;
}

aio::check::ExploreOptions options(const std::string& name, std::vector<std::string>* printed = nullptr) {
    aio::check::ExploreOptions o;
    o.name = name;
    o.seeds = 50;
    o.policies = {aio::check::Policy::random};
    o.print = [printed](const std::string& s) {
        if (printed) printed->push_back(s);
    };
    return o;
}

}  // namespace corpus_test

using namespace corpus_test;

TEST_CASE("a corpus entry's text round-trips, with line breaks and backslashes escaped") {
    const CorpusEntry e{"", CorpusKind::check, "pool capacity", "predicate\nwith \\ a break",
                        "aiosim1:random:seed=3:r1"};
    const std::string text = aio::check::format_corpus_entry(e);
    CHECK(text.find(
              "check: pool capacity\nsignature: predicate\\nwith \\\\ a break\nreplay: aiosim1:random:seed=3:r1\n") !=
          std::string::npos);
    const CorpusEntry back = aio::check::parse_corpus_entry(text, "x.replay");
    CHECK(back.kind == CorpusKind::check);
    CHECK(back.name == e.name);
    CHECK(back.signature == e.signature);
    CHECK(back.replay == e.replay);
    // Blank lines, comments and CRLF are fine.
    const CorpusEntry crlf = aio::check::parse_corpus_entry(
        "\r\n# note\r\nreplay: aiosim1:fifo:-:-\r\nscenario: s\r\nsignature: deadlock\r\n", "y.replay");
    CHECK(crlf.kind == CorpusKind::scenario);
    CHECK(crlf.name == "s");
    CHECK(crlf.replay == "aiosim1:fifo:-:-");
}

TEST_CASE("a malformed corpus entry is an error naming the file and line") {
    auto error_of = [](const std::string& text) {
        try {
            aio::check::parse_corpus_entry(text, "bad.replay");
        } catch (const aio::ValueError& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    CHECK(error_of("scenario: a\nsignature: s\nreplay: r\nwhat: x\n") ==
          "corpus entry bad.replay:4: unknown key 'what' (keys: scenario or check, signature, replay)");
    CHECK(error_of("scenario: a\nscenario: b\n").starts_with("corpus entry bad.replay:2: an entry names one"));
    CHECK(error_of("scenario: a\nreplay: r\nreplay: r\n") == "corpus entry bad.replay:3: 'replay' is given twice");
    CHECK(error_of("scenario: a\nsignature: s\n") == "corpus entry bad.replay: missing 'replay: aiosim1:...'");
    CHECK(error_of("signature: s\nreplay: r\n").starts_with("corpus entry bad.replay: missing 'scenario: NAME'"));
    CHECK(error_of("scenario a\n").starts_with("corpus entry bad.replay:1: expected 'key: value'"));
    CHECK(error_of("scenario: \n") == "corpus entry bad.replay:1: 'scenario' has an empty value");
    CHECK(error_of("scenario: a\\t\n").starts_with("corpus entry bad.replay:1: a backslash"));
}

TEST_CASE("a failure is saved once per name and signature, under a name made of both") {
    TempDir dir("save");
    const CorpusEntry e{"", CorpusKind::scenario, "bug x/y", "deadlock", "aiosim1:random:seed=1:r1"};
    const std::string file = aio::check::corpus_file_name(e.kind, e.name, e.signature);
    CHECK(file.starts_with("bug_x_y-"));
    CHECK(file.ends_with(".replay"));
    CHECK(file.size() == std::string("bug_x_y-").size() + 16 + std::string(".replay").size());
    CHECK(file == aio::check::corpus_file_name(e.kind, e.name, e.signature));  // deterministic
    CHECK(file != aio::check::corpus_file_name(e.kind, e.name, "divergence"));
    CHECK(file != aio::check::corpus_file_name(CorpusKind::check, e.name, e.signature));
    const auto first = aio::check::save_corpus_entry(dir.str(), e);
    CHECK(first.written);
    CHECK(first.path == (dir.path / file).string());
    CorpusEntry other = e;
    other.replay = "aiosim1:random:seed=2:r2";  // another run failing the same way
    const auto second = aio::check::save_corpus_entry(dir.str(), other);
    CHECK_FALSE(second.written);
    CHECK(files_in(dir.path) == std::vector<std::string>{file});
    const auto all = aio::check::read_corpus(dir.str());
    REQUIRE(all.size() == 1);
    CHECK(all[0].replay == e.replay);  // the first one stays
    CHECK(all[0].file == file);
}

TEST_CASE("read_corpus reads *.replay files in name order; a missing folder has no entry") {
    TempDir dir("read");
    CHECK(aio::check::read_corpus(dir.str()).empty());
    write_file(dir.path / "b.replay", "scenario: s\nsignature: deadlock\nreplay: aiosim1:fifo:-:-\n");
    write_file(dir.path / "a.replay", "check: c\nsignature: predicate\nreplay: aiosim1:fifo:-:-\n");
    write_file(dir.path / "notes.txt", "not an entry");
    const auto all = aio::check::read_corpus(dir.str());
    REQUIRE(all.size() == 2);
    CHECK(all[0].file == "a.replay");
    CHECK(all[1].file == "b.replay");
    CHECK(aio::check::corpus_entries_for(all, CorpusKind::check, "c").size() == 1);
    CHECK(aio::check::corpus_entries_for(all, CorpusKind::check, "s").empty());
    write_file(dir.path / "c.replay", "scenario: s\n");
    CHECK_THROWS_WITH_AS(aio::check::read_corpus(dir.str()), doctest::Contains("c.replay: missing"), aio::ValueError);
    CHECK_THROWS_AS(aio::check::read_corpus((dir.path / "b.replay").string()), aio::ValueError);  // not a folder
}

TEST_CASE("judge_corpus_replay: reproduced, changed, fixed, stale") {
    const CorpusEntry e{"", CorpusKind::check, "c", "predicate", "aiosim1:fifo:-:-"};
    aio::sim::RunFailure pred{aio::sim::FailureKind::predicate, nullptr, {}, "the predicate returned false"};
    aio::sim::RunFailure diverge{aio::sim::FailureKind::replay_divergence, nullptr, {}, "no longer fits"};
    aio::sim::RunFailure dead{aio::sim::FailureKind::deadlock, nullptr, {}, "stuck"};
    CHECK(aio::check::judge_corpus_replay(e, pred, false) == CorpusVerdict::reproduced);
    CHECK(aio::check::judge_corpus_replay(e, dead, false) == CorpusVerdict::changed);
    CHECK(aio::check::judge_corpus_replay(e, std::nullopt, false) == CorpusVerdict::fixed);
    CHECK(aio::check::judge_corpus_replay(e, diverge, false) == CorpusVerdict::stale);
    CHECK(aio::check::judge_corpus_replay(e, pred, true) == CorpusVerdict::stale);
    CHECK(aio::check::corpus_verdict_fails(CorpusVerdict::reproduced));
    CHECK(aio::check::corpus_verdict_fails(CorpusVerdict::changed));
    CHECK_FALSE(aio::check::corpus_verdict_fails(CorpusVerdict::fixed));
    CHECK_FALSE(aio::check::corpus_verdict_fails(CorpusVerdict::stale));
}

TEST_CASE("for_all_schedules saves its failure, then replays it from the corpus first") {
    TempDir dir("check");
    auto in_order = [](const std::string& s) { return s == "abc"; };
    auto o = options("three in order");
    o.save_failures = dir.str();
    auto v = aio::check::for_all_schedules([] { return three(); }, in_order, o);
    REQUIRE_FALSE(v.ok);
    REQUIRE(v.failure);
    const std::string file = aio::check::corpus_file_name(CorpusKind::check, "three in order", "predicate");
    CHECK(v.failure->saved_to == (dir.path / file).string());
    CHECK(v.report.find("saved:         " + v.failure->saved_to + " (a new corpus entry)") != std::string::npos);
    REQUIRE(files_in(dir.path) == std::vector<std::string>{file});
    const auto entries = aio::check::read_corpus(dir.str());
    CHECK(entries[0].replay == v.failure->replay);  // the shrunk string
    CHECK(entries[0].kind == CorpusKind::check);

    // Again, saving into the same folder: nothing new is written.
    auto again = aio::check::for_all_schedules([] { return three(); }, in_order, o);
    CHECK(again.report.find("(in the corpus already)") != std::string::npos);
    CHECK(files_in(dir.path).size() == 1);

    // From the corpus: the entry fails at once, in one run, before any seed.
    auto c = options("three in order");
    c.corpus = dir.str();
    auto replayed = aio::check::for_all_schedules([] { return three(); }, in_order, c);
    REQUIRE_FALSE(replayed.ok);
    CHECK(replayed.runs == 1);
    CHECK(replayed.failure->corpus_entry == file);
    CHECK(replayed.failure->replay == entries[0].replay);
    CHECK(replayed.report.find("from the corpus: " + dir.str() + "/" + file + " (it fails again with its signature)") !=
          std::string::npos);

    // Fixed: the entry replays and passes, and the exploration goes on.
    auto fixed = aio::check::for_all_schedules([] { return three(); }, [](const std::string&) { return true; }, c);
    CHECK(fixed.ok);
    CHECK(fixed.corpus_replayed == 1);
    CHECK(fixed.stale_corpus.empty());
    CHECK(fixed.summary.find("1 corpus entry replayed first") != std::string::npos);
    // Another check's entries are not this one's.
    auto other = aio::check::for_all_schedules([] { return three(); }, [](const std::string&) { return true; },
                                               options("another check"));
    CHECK(other.corpus_replayed == 0);
}

TEST_CASE("a corpus entry that no longer fits is reported stale, not as a pass") {
    TempDir dir("stale");
    write_file(dir.path / "old.replay",
               "check: stale one\nsignature: predicate\nreplay: aiosim1:random:seed=1:9r9.9r9.9r9.9r9.9r9.9r9\n");
    write_file(dir.path / "unreadable.replay", "check: stale one\nsignature: predicate\nreplay: aiosim1:nosuch:-:-\n");
    std::vector<std::string> printed;
    auto o = options("stale one", &printed);
    o.corpus = dir.str();
    auto v = aio::check::for_all_schedules([] { return three(); }, [](const std::string&) { return true; }, o);
    CHECK(v.ok);  // nothing failed; but the entries tested nothing, and the verdict says so
    CHECK(v.stale_corpus == std::vector<std::string>{"old.replay", "unreadable.replay"});
    CHECK(v.summary.find("; 2 stale corpus entries (no pass: re-record or delete): old.replay, unreadable.replay") !=
          std::string::npos);
    REQUIRE(printed.size() == 2);
    CHECK(printed[0].find("corpus entry " + dir.str() + "/old.replay is stale") != std::string::npos);
    CHECK(printed[0].find("no longer fits the program") != std::string::npos);
    CHECK(printed[1].find("does not parse") != std::string::npos);
}

TEST_CASE("AIOSIM_CORPUS and AIOSIM_SAVE_FAILURES set the folders") {
    TempDir dir("env");
    ::setenv("AIOSIM_SAVE_FAILURES", dir.str().c_str(), 1);
    auto v = aio::check::for_all_schedules([] { return three(); }, [](const std::string& s) { return s == "abc"; },
                                           options("env check"));
    ::unsetenv("AIOSIM_SAVE_FAILURES");
    REQUIRE_FALSE(v.ok);
    CHECK(files_in(dir.path).size() == 1);
    ::setenv("AIOSIM_CORPUS", dir.str().c_str(), 1);
    auto w = aio::check::for_all_schedules([] { return three(); }, [](const std::string& s) { return s == "abc"; },
                                           options("env check"));
    ::unsetenv("AIOSIM_CORPUS");
    REQUIRE_FALSE(w.ok);
    CHECK(w.runs == 1);
    CHECK_FALSE(w.failure->corpus_entry.empty());
}
