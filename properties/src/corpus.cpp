#include "aio/check/corpus.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <system_error>

#include <aio/errors.hpp>
#include <aio/sim/trace.hpp>

namespace aio::check {

namespace {

namespace fs = std::filesystem;

std::string escape_value(std::string_view v) {
    std::string out;
    out.reserve(v.size());
    for (char c : v) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '\n')
            out += "\\n";
        else if (c == '\r')
            out += "\\r";
        else
            out += c;
    }
    return out;
}

std::optional<std::string> unescape_value(std::string_view v) {
    std::string out;
    out.reserve(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (v[i] != '\\') {
            out += v[i];
            continue;
        }
        if (++i == v.size()) return std::nullopt;
        switch (v[i]) {
        case '\\': out += '\\'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        default: return std::nullopt;
        }
    }
    return out;
}

std::string sanitise(const std::string& name) {
    std::string out;
    for (char c : name) {
        if (out.size() == 64) break;
        const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                           c == '-' || c == '.';
        out += plain ? c : '_';
    }
    if (out.empty() || out.front() == '.') out.insert(out.begin(), '_');  // never a hidden file, never empty
    return out;
}

std::string read_whole(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) throw aio::ValueError(fmt::format("corpus entry {}: cannot be read", p.string()));
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) throw aio::ValueError(fmt::format("corpus entry {}: cannot be read", p.string()));
    return text;
}

}  // namespace

std::string_view corpus_kind_key(CorpusKind k) noexcept { return k == CorpusKind::check ? "check" : "scenario"; }

std::string format_corpus_entry(const CorpusEntry& e) {
    return fmt::format(
        "# aiosim regression corpus entry: one known failure (format: aio/check/corpus.hpp)\n"
        "{}: {}\nsignature: {}\nreplay: {}\n",
        corpus_kind_key(e.kind), escape_value(e.name), escape_value(e.signature), escape_value(e.replay));
}

CorpusEntry parse_corpus_entry(std::string_view text, const std::string& file) {
    CorpusEntry e;
    e.file = file;
    bool has_name = false, has_signature = false, has_replay = false;
    std::size_t line_no = 0;
    std::size_t at = 0;
    while (at < text.size()) {
        std::size_t end = text.find('\n', at);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(at, end - at);
        at = end + 1;
        ++line_no;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty() || line.front() == '#') continue;
        auto error = [&](const std::string& what) {
            return aio::ValueError(fmt::format("corpus entry {}:{}: {}", file, line_no, what));
        };
        const std::size_t colon = line.find(": ");
        if (colon == std::string_view::npos)
            throw error("expected 'key: value' (keys: scenario or check, signature, replay)");
        const std::string_view key = line.substr(0, colon);
        const std::optional<std::string> value = unescape_value(line.substr(colon + 2));
        if (!value) throw error("a backslash in a value must start \\\\, \\n or \\r");
        if (value->empty()) throw error(fmt::format("'{}' has an empty value", key));
        auto once = [&](bool& seen) {
            if (seen) throw error(fmt::format("'{}' is given twice", key));
            seen = true;
        };
        if (key == "scenario" || key == "check") {
            if (has_name) throw error("an entry names one scenario or one check ('scenario:' or 'check:' once)");
            has_name = true;
            e.kind = key == "check" ? CorpusKind::check : CorpusKind::scenario;
            e.name = *value;
        } else if (key == "signature") {
            once(has_signature);
            e.signature = *value;
        } else if (key == "replay") {
            once(has_replay);
            e.replay = *value;
        } else {
            std::string shown(key.substr(0, 40));
            throw error(fmt::format("unknown key '{}' (keys: scenario or check, signature, replay)", shown));
        }
    }
    if (!has_name || !has_signature || !has_replay)
        throw aio::ValueError(fmt::format("corpus entry {}: missing {}", file,
                                          !has_name        ? "'scenario: NAME' (or 'check: NAME')"
                                          : !has_signature ? "'signature: ...'"
                                                           : "'replay: aiosim1:...'"));
    return e;
}

std::vector<CorpusEntry> read_corpus(const std::string& dir) {
    std::error_code ec;
    const fs::path root(dir);
    const auto st = fs::status(root, ec);
    if (ec || st.type() == fs::file_type::not_found) {
        if (st.type() == fs::file_type::not_found) return {};
        throw aio::ValueError(fmt::format("corpus {}: {}", dir, ec.message()));
    }
    if (st.type() != fs::file_type::directory)
        throw aio::ValueError(fmt::format("corpus {}: not a folder (give the folder of *.replay files)", dir));
    std::vector<fs::path> files;
    for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
        const fs::path& p = it->path();
        if (p.extension() == ".replay" && p.filename().string().front() != '.') files.push_back(p);
    }
    if (ec) throw aio::ValueError(fmt::format("corpus {}: {}", dir, ec.message()));
    std::sort(files.begin(), files.end(),
              [](const fs::path& a, const fs::path& b) { return a.filename().string() < b.filename().string(); });
    std::vector<CorpusEntry> out;
    out.reserve(files.size());
    for (const fs::path& p : files) {
        CorpusEntry e = parse_corpus_entry(read_whole(p), p.string());
        e.file = p.filename().string();
        out.push_back(std::move(e));
    }
    return out;
}

std::vector<CorpusEntry> corpus_entries_for(const std::vector<CorpusEntry>& all, CorpusKind kind,
                                            const std::string& name) {
    std::vector<CorpusEntry> out;
    std::copy_if(all.begin(), all.end(), std::back_inserter(out),
                 [&](const CorpusEntry& e) { return e.kind == kind && e.name == name; });
    return out;
}

std::string corpus_file_name(CorpusKind kind, const std::string& name, const std::string& signature) {
    const std::uint64_t h = aio::sim::fnv1a64(
        signature,
        aio::sim::fnv1a64("\n",
                          aio::sim::fnv1a64(name, aio::sim::fnv1a64(":", aio::sim::fnv1a64(corpus_kind_key(kind))))));
    return fmt::format("{}-{:016x}.replay", sanitise(name), h);
}

SavedEntry save_corpus_entry(const std::string& dir, const CorpusEntry& e) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw aio::ValueError(fmt::format("--save-failures {}: cannot create the folder: {}", dir, ec.message()));
    const fs::path target = fs::path(dir) / corpus_file_name(e.kind, e.name, e.signature);
    SavedEntry saved{target.string(), false};
    if (fs::exists(target, ec)) return saved;
    // Written whole under a name no other writer uses (this process's id), then renamed: a
    // reader never sees half an entry, and two shards saving the same failure leave one file.
    const fs::path tmp = fs::path(dir) / fmt::format(".{}.{}.tmp", target.filename().string(), ::getpid());
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out << format_corpus_entry(e);
        out.close();
        if (!out) {
            fs::remove(tmp, ec);
            throw aio::ValueError(fmt::format("--save-failures {}: cannot write {}", dir, tmp.string()));
        }
    }
    fs::rename(tmp, target, ec);
    if (ec) {
        std::error_code ignored;
        fs::remove(tmp, ignored);
        throw aio::ValueError(
            fmt::format("--save-failures {}: cannot write {}: {}", dir, target.string(), ec.message()));
    }
    saved.written = true;
    return saved;
}

std::string_view corpus_verdict_name(CorpusVerdict v) noexcept {
    switch (v) {
    case CorpusVerdict::reproduced: return "reproduced";
    case CorpusVerdict::changed: return "changed";
    case CorpusVerdict::fixed: return "fixed";
    case CorpusVerdict::stale: return "stale";
    }
    return "stale";
}

CorpusVerdict judge_corpus_replay(const CorpusEntry& e, const std::optional<aio::sim::RunFailure>& failure,
                                  bool diverged) {
    if (diverged || (failure && failure->kind == aio::sim::FailureKind::replay_divergence)) return CorpusVerdict::stale;
    if (!failure) return CorpusVerdict::fixed;
    return aio::sim::signature(*failure) == e.signature ? CorpusVerdict::reproduced : CorpusVerdict::changed;
}

}  // namespace aio::check
