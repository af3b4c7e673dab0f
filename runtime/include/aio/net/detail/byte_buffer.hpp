#pragma once
// detail::ByteBuffer: a FIFO of bytes (Python's bytearray used as a queue: extend at the back,
// `del buf[:n]` at the front). Consuming moves a read offset instead of shifting the bytes; the
// storage is compacted only once the consumed prefix is at least half of it, so reading a large
// buffer in small pieces costs linear time, not quadratic.
#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

namespace aio::detail {

class ByteBuffer {
public:
    std::size_t size() const noexcept { return data_.size() - head_; }
    bool empty() const noexcept { return size() == 0; }
    std::string_view view() const noexcept { return std::string_view(data_).substr(head_); }

    void append(std::string_view bytes) {
        if (empty()) clear();  // start again at offset 0 rather than grow behind a dead prefix
        data_.append(bytes);
    }
    /// Drops the first n bytes (n <= size()).
    void consume(std::size_t n) noexcept {
        head_ += n;
        if (head_ == data_.size()) {
            clear();
        } else if (head_ >= 4096 && head_ * 2 >= data_.size()) {
            data_.erase(0, head_);
            head_ = 0;
        }
    }
    /// Removes and returns the first min(n, size()) bytes.
    std::string take(std::size_t n) {
        n = std::min(n, size());
        if (n == size() && head_ == 0) return std::exchange(data_, std::string());  // no copy
        std::string out(view().substr(0, n));
        consume(n);
        return out;
    }
    void clear() noexcept {
        data_.clear();
        head_ = 0;
    }

private:
    std::string data_;
    std::size_t head_ = 0;
};

}  // namespace aio::detail
