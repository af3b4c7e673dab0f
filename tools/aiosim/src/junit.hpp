#pragma once
// Internal: `aiosim explore ... --junit FILE`, a JUnit XML report for CI systems that show test
// reports (Jenkins, GitLab, GitHub's test reporters, Buildkite...).
//
// One <testsuite> per exploration (name "aiosim.explore.NAME"), inside <testsuites>; its
// testcases: one per corpus entry replayed (name "corpus FILE"; a reproduced or changed entry
// has a <failure>, a stale one is <skipped>), then one for the exploration itself (name
// "explore", or "shard I of K" for a shard; classname "aiosim.explore.NAME"). The exploration's
// testcase has a <failure> when the command's exit status is 1 (its message: the report's
// FAILED or NOT FOUND line; its text: the whole report), an <error> for bad usage (2), and
// <skipped> for an empty shard allowed by --allow-empty; exit status 3 (failures only in orders
// CPython's asyncio cannot run) passes, with the warning in <system-out>. The suite's
// properties give the exit status. Text is escaped for XML 1.0 (& < > " ' as entities; control
// characters that XML cannot carry as "\xNN"). The file is the same for the same exploration
// (a seed budget) except its `time` attributes: the report's runs/s and seconds are left out of
// the text (they are in `time`).
#include <ostream>
#include <sstream>
#include <streambuf>
#include <string>
#include <vector>

namespace aio::cli {

/// A stream buffer that writes to `a` and keeps a copy (what the report said, for --junit).
class TeeBuf final : public std::streambuf {
public:
    explicit TeeBuf(std::ostream& a) : a_(a) {}
    const std::string& copy() const noexcept { return copy_; }

protected:
    int overflow(int c) override {
        if (c == traits_type::eof()) return traits_type::not_eof(c);
        copy_ += static_cast<char>(c);
        a_.put(static_cast<char>(c));
        return c;
    }
    std::streamsize xsputn(const char* s, std::streamsize n) override {
        copy_.append(s, static_cast<std::size_t>(n));
        a_.write(s, n);
        return n;
    }
    int sync() override {
        a_.flush();
        return 0;
    }

private:
    std::ostream& a_;
    std::string copy_;
};

struct JunitCase {
    std::string name;
    enum class Result { passed, failure, error, skipped } result = Result::passed;
    std::string message;  ///< of the failure, error or skipped element
    std::string type;     ///< the failure's or error's type attribute
    std::string text;     ///< the element's text (the report)
    std::string out;      ///< <system-out>, if any
    double seconds = 0;
};

struct JunitSuite {
    std::string name;
    std::vector<std::pair<std::string, std::string>> properties;
    std::vector<JunitCase> cases;
    double seconds = 0;
};

/// Text escaped for an XML 1.0 attribute value or element content.
std::string xml_escape(const std::string& text);

/// The report without its timing: ", N runs/s (S s, J jobs)" cut from "summary:" lines.
std::string without_timing(const std::string& report);

/// The whole XML document.
std::string format_junit(const JunitSuite& suite);

/// Writes format_junit(suite) to `path` (whole: a temporary file renamed; its folder created if
/// needed); false when it cannot.
bool write_junit(const std::string& path, const JunitSuite& suite);

}  // namespace aio::cli
