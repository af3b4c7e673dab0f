#pragma once
// A note on what a task's current wait is, for deadlock reports, when the awaited thing (a
// plain Future) cannot say it: a stream read waiting for data, a drain waiting for the peer's
// window, a connect waiting for its answer. The waiting coroutine keeps the note in its frame
// and names it on its task with a WaitNoteScope for the duration of the await; the task's
// waiting_description() then reads it (and the simulator's report reads its transport to name
// the connection and the hosts). Cost: two pointer stores per wait.
#include <cstdint>
#include <string>

namespace aio {
class Transport;
}

namespace aio::detail {

class TaskBase;

struct WaitNote {
    enum class Kind : std::uint8_t {
        read,     // StreamReader: waiting for data (or EOF) from the peer
        drain,    // StreamWriter::drain(): waiting for the peer to read (its window is full)
        connect,  // a connect waiting for its answer
    };
    Kind kind = Kind::read;
    /// The call waiting: the StreamReader or StreamWriter method ("readuntil", "drain"), or
    /// the connect's function ("open_connection"); a string literal.
    const char* function = "";
    /// The stream's transport (read, drain); null for a connect. Alive while the note is set
    /// (the waiting frame holds it).
    const Transport* transport = nullptr;
    /// A connect's target, "db:5432" (read, drain: null). Lives in the waiting frame.
    const char* target = nullptr;
};

/// The note in words: "StreamReader.readuntil() reading conn #1 10.0.0.1:49152->10.0.0.2:5432
/// (waiting for data from the peer)" (the connection's number when the transport's
/// get_extra_info("connection") gives one, a std::uint64_t).
std::string describe_wait_note(const WaitNote& note);

/// Sets `note` on `task` (the running task, or null: nothing) while alive, and puts back what
/// was there before.
class WaitNoteScope {
public:
    WaitNoteScope(TaskBase* task, const WaitNote& note) noexcept;
    ~WaitNoteScope();
    WaitNoteScope(const WaitNoteScope&) = delete;
    WaitNoteScope& operator=(const WaitNoteScope&) = delete;

private:
    friend class TaskBase;
    TaskBase* task_;
    const WaitNote* previous_;
};

}  // namespace aio::detail
