// asyncio.StreamReader (streams.py, 3.12), line for line where it matters: the order of the
// checks decides which error a read raises, and the pause/resume points decide when the
// transport reads.
#include "aio/net/stream_reader.hpp"

#include <fmt/format.h>

#include "aio/detail/task_state.hpp"
#include "aio/detail/wait_note.hpp"
#include "aio/event_loop.hpp"
#include "aio/future.hpp"
#include "aio/net/detail/byte_buffer.hpp"
#include "aio/net/stream_errors.hpp"
#include "aio/net/transport.hpp"

namespace aio {

namespace detail {

struct StreamReaderState {
    explicit StreamReaderState(std::size_t l) : limit(l) {}
    StreamReaderState(const StreamReaderState&) = delete;
    StreamReaderState& operator=(const StreamReaderState&) = delete;
    ~StreamReaderState() { touch_end(this); }

    std::size_t limit;
    ByteBuffer buffer;
    bool eof = false;
    Future<void> waiter;  // _wait_for_data's future; invalid (empty) when none
    std::exception_ptr exception;
    std::shared_ptr<Transport> transport;
    bool paused = false;

    void wakeup_waiter() {
        Future<void> w = std::move(waiter);
        waiter = {};
        if (w.valid() && !w.cancelled()) w.set_result();
    }

    void maybe_resume_transport() {
        if (paused && buffer.size() <= limit) {
            paused = false;
            transport->resume_reading();
        }
    }
};

}  // namespace detail

namespace {

using State = detail::StreamReaderState;
using StatePtr = std::shared_ptr<State>;

// The read coroutines take the state by value: they keep the reader alive however they are
// awaited or wrapped in a task.

Coro<void> wait_for_data(StatePtr s, const char* func_name) {
    // One future links feed_data() to one reading task; two readers could not know which
    // gets the next data.
    if (s->waiter.valid())
        throw RuntimeError(
            fmt::format("{}() called while another coroutine is already waiting for incoming data", func_name));
    // Waiting while paused would deadlock (readexactly(n) with n > limit needs the resume).
    if (s->paused) {
        s->paused = false;
        s->transport->resume_reading();
    }
    Future<void> w(get_running_loop());
    s->waiter = w;
    // asyncio's `finally: self._waiter = None`, but only if it is still this read's future.
    struct Clear {
        State* s;
        detail::FutureBase* mine;
        ~Clear() {
            if (s->waiter.valid() && s->waiter.state() == mine) s->waiter = {};
        }
    } clear{s.get(), w.state()};
    // For deadlock reports: this task reads this connection.
    const detail::WaitNote note{detail::WaitNote::Kind::read, func_name, s->transport.get(), nullptr};
    detail::WaitNoteScope noted(get_running_loop().current_task_raw(), note);
    co_await w;
}

void throw_if_failed(const State& s) {
    if (s.exception) std::rethrow_exception(s.exception);
}

Coro<std::string> readuntil_impl(StatePtr s, std::string separator) {
    const std::size_t seplen = separator.size();
    if (seplen == 0) throw ValueError("Separator should be at least one-byte string");
    throw_if_failed(*s);
    // `offset`: how many bytes from the start of the buffer are known not to begin the
    // separator; a rescan starts there (less the separator's length but one).
    std::size_t offset = 0;
    std::size_t isep = 0;
    for (;;) {
        const std::size_t buflen = s->buffer.size();
        if (buflen >= offset && buflen - offset >= seplen) {  // (another task may have read meanwhile)
            const std::size_t found = s->buffer.view().find(separator, offset);
            if (found != std::string_view::npos) {
                isep = found;
                break;
            }
            offset = buflen + 1 - seplen;
            if (offset > s->limit)
                throw LimitOverrunError("Separator is not found, and chunk exceed the limit", offset);
        }
        // A complete message may be in the buffer with EOF set: look before checking EOF.
        if (s->eof) {
            std::string chunk(s->buffer.view());
            s->buffer.clear();
            throw IncompleteReadError(std::move(chunk), std::nullopt);
        }
        co_await wait_for_data(s, "readuntil");
    }
    if (isep > s->limit) throw LimitOverrunError("Separator is found, but chunk is longer than limit", isep);
    std::string chunk = s->buffer.take(isep + seplen);
    s->maybe_resume_transport();
    co_return chunk;
}

Coro<std::string> readline_impl(StatePtr s) {
    try {
        co_return co_await readuntil_impl(s, "\n");
    } catch (const IncompleteReadError& e) {
        co_return e.partial();
    } catch (const LimitOverrunError& e) {
        // Drop the over-long line if its end is in the buffer, else everything buffered.
        if (s->buffer.view().substr(e.consumed()).starts_with('\n'))
            s->buffer.consume(e.consumed() + 1);
        else
            s->buffer.clear();
        s->maybe_resume_transport();
        throw ValueError(e.what());
    }
}

Coro<std::string> read_impl(StatePtr s, std::ptrdiff_t n) {
    throw_if_failed(*s);
    if (n == 0) co_return std::string();
    if (n < 0) {
        // Blocks of at most `limit` until EOF, so that a peer sending more than the limit
        // cannot deadlock the pause/resume logic.
        std::string all;
        for (;;) {
            std::string block = co_await read_impl(s, static_cast<std::ptrdiff_t>(s->limit));
            if (block.empty()) break;
            all += block;
        }
        co_return all;
    }
    if (s->buffer.empty() && !s->eof) co_await wait_for_data(s, "read");
    std::string data = s->buffer.take(static_cast<std::size_t>(n));
    s->maybe_resume_transport();
    co_return data;
}

Coro<std::string> readexactly_impl(StatePtr s, std::size_t n) {
    throw_if_failed(*s);
    if (n == 0) co_return std::string();
    while (s->buffer.size() < n) {
        if (s->eof) {
            std::string incomplete(s->buffer.view());
            s->buffer.clear();
            throw IncompleteReadError(std::move(incomplete), n);
        }
        co_await wait_for_data(s, "readexactly");
    }
    std::string data = s->buffer.take(n);
    s->maybe_resume_transport();
    co_return data;
}

}  // namespace

StreamReader::StreamReader(std::size_t limit) {
    if (limit == 0) throw ValueError("Limit cannot be <= 0");
    s_ = std::make_shared<State>(limit);
}

Coro<std::string> StreamReader::read(std::ptrdiff_t n) const {
    detail::touch(s_.get());
    return read_impl(s_, n);
}
Coro<std::string> StreamReader::readline() const {
    detail::touch(s_.get());
    return readline_impl(s_);
}
Coro<std::string> StreamReader::readexactly(std::size_t n) const {
    detail::touch(s_.get());
    return readexactly_impl(s_, n);
}
Coro<std::string> StreamReader::readuntil(std::string_view separator) const {
    detail::touch(s_.get());
    return readuntil_impl(s_, std::string(separator));
}

bool StreamReader::at_eof() const noexcept { return s_->eof && s_->buffer.empty(); }

void StreamReader::feed_data(std::string_view data) {
    State& s = *s_;
    if (s.eof) throw RuntimeError("feed_data after feed_eof");
    if (data.empty()) return;
    s.buffer.append(data);
    s.wakeup_waiter();
    if (s.transport && !s.paused && s.buffer.size() > 2 * s.limit) {
        s.transport->pause_reading();
        s.paused = true;
    }
}

void StreamReader::feed_eof() {
    s_->eof = true;
    s_->wakeup_waiter();
}

void StreamReader::set_exception(std::exception_ptr e) {
    State& s = *s_;
    s.exception = e;
    Future<void> w = std::move(s.waiter);
    s.waiter = {};
    if (w.valid() && !w.cancelled()) w.set_exception(std::move(e));
}

std::exception_ptr StreamReader::exception() const noexcept { return s_->exception; }

void StreamReader::set_transport(std::shared_ptr<Transport> transport) {
    if (s_->transport) throw RuntimeError("Transport already set");
    s_->transport = std::move(transport);
}

std::size_t StreamReader::limit() const noexcept { return s_->limit; }
std::size_t StreamReader::buffered() const noexcept { return s_->buffer.size(); }
std::string_view StreamReader::buffer() const noexcept { return s_->buffer.view(); }
bool StreamReader::paused() const noexcept { return s_->paused; }
bool StreamReader::has_waiter() const noexcept { return s_->waiter.valid(); }

}  // namespace aio
