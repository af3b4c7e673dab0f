#include "junit.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <system_error>
#include <fstream>

namespace aio::cli {

namespace {

// The length of the valid UTF-8 sequence at s[i] (1 to 4), or 0 when it is not one (XML
// needs well-formed UTF-8; a byte that is not gets written as "\xNN").
std::size_t utf8_length(const std::string& s, std::size_t i) {
    const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char c = b(i);
    std::size_t n = 0;
    unsigned min = 0;
    unsigned cp = 0;
    if (c < 0x80) return 1;
    if ((c & 0xE0) == 0xC0) {
        n = 2, min = 0x80, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        n = 3, min = 0x800, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        n = 4, min = 0x10000, cp = c & 0x07;
    } else {
        return 0;
    }
    if (i + n > s.size()) return 0;
    for (std::size_t k = 1; k < n; ++k) {
        if ((b(i + k) & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (b(i + k) & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || cp == 0xFFFE || cp == 0xFFFF) return 0;
    return n;
}

std::string seconds(double s) { return fmt::format("{:.3f}", s < 0 ? 0.0 : s); }

}  // namespace

std::string xml_escape(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        const char c = text[i];
        const auto u = static_cast<unsigned char>(c);
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        case '\'': out += "&apos;"; break;
        default:
            if (u < 0x20 && c != '\t' && c != '\n' && c != '\r') {
                out += fmt::format("\\x{:02x}", u);  // not even a character reference is allowed
            } else if (u >= 0x80) {
                const std::size_t n = utf8_length(text, i);
                if (n == 0) {
                    out += fmt::format("\\x{:02x}", u);
                    ++i;
                    continue;
                }
                out.append(text, i, n);
                i += n;
                continue;
            } else {
                out += c;
            }
        }
        ++i;
    }
    return out;
}

std::string without_timing(const std::string& report) {
    std::string out;
    std::size_t at = 0;
    while (at < report.size()) {
        std::size_t end = report.find('\n', at);
        end = end == std::string::npos ? report.size() : end + 1;
        std::string line = report.substr(at, end - at);
        at = end;
        if (line.starts_with("summary: ")) {
            const std::size_t rate = line.find(" runs/s (");
            const std::size_t comma = rate == std::string::npos ? rate : line.rfind(", ", rate);
            const std::size_t close = rate == std::string::npos ? rate : line.find(')', rate);
            if (comma != std::string::npos && close != std::string::npos) line.erase(comma, close + 1 - comma);
        }
        out += line;
    }
    return out;
}

std::string format_junit(const JunitSuite& suite) {
    std::size_t failures = 0, errors = 0, skipped = 0;
    for (const auto& c : suite.cases) {
        failures += c.result == JunitCase::Result::failure;
        errors += c.result == JunitCase::Result::error;
        skipped += c.result == JunitCase::Result::skipped;
    }
    const std::string name = xml_escape(suite.name);
    std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    const std::string counts = fmt::format("tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{}\"",
                                           suite.cases.size(), failures, errors, skipped, seconds(suite.seconds));
    x += fmt::format("<testsuites name=\"{}\" {}>\n", name, counts);
    x += fmt::format("  <testsuite name=\"{}\" {}>\n", name, counts);
    if (!suite.properties.empty()) {
        x += "    <properties>\n";
        for (const auto& [k, v] : suite.properties)
            x += fmt::format("      <property name=\"{}\" value=\"{}\"/>\n", xml_escape(k), xml_escape(v));
        x += "    </properties>\n";
    }
    for (const auto& c : suite.cases) {
        x += fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"{}\"", name, xml_escape(c.name),
                         seconds(c.seconds));
        const char* element = c.result == JunitCase::Result::failure   ? "failure"
                              : c.result == JunitCase::Result::error   ? "error"
                              : c.result == JunitCase::Result::skipped ? "skipped"
                                                                       : nullptr;
        if (!element && c.out.empty()) {
            x += "/>\n";
            continue;
        }
        x += ">\n";
        if (element) {
            x += fmt::format("      <{} message=\"{}\"", element, xml_escape(c.message));
            if (!c.type.empty()) x += fmt::format(" type=\"{}\"", xml_escape(c.type));
            if (c.text.empty())
                x += "/>\n";
            else
                x += fmt::format(">{}</{}>\n", xml_escape(c.text), element);
        }
        if (!c.out.empty()) x += fmt::format("      <system-out>{}</system-out>\n", xml_escape(c.out));
        x += "    </testcase>\n";
    }
    x += "  </testsuite>\n</testsuites>\n";
    return x;
}

bool write_junit(const std::string& path, const JunitSuite& suite) {
    std::error_code ec;
    const std::filesystem::path parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) std::filesystem::create_directories(parent, ec);  // an error shows when writing
    const std::string tmp = fmt::format("{}.{}.tmp", path, ::getpid());
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out << format_junit(suite);
        out.close();
        if (!out) {
            std::remove(tmp.c_str());
            return false;
        }
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        std::remove(tmp.c_str());
        return false;
    }
    return true;
}

}  // namespace aio::cli
