#pragma once
// Intrusive, single-threaded reference counting for loop-owned objects (futures, tasks,
// callback handles). Counts are plain integers: these objects belong to one loop and are
// only touched on that loop's thread, so an atomic count would be wasted work on the hot path.
#include <cstdint>
#include <utility>

#include "aio/detail/pool.hpp"

namespace aio::detail {

// Allocated from the thread's free lists (detail/pool.hpp).
class RefCounted : public PoolAllocated {
public:
    RefCounted() = default;
    RefCounted(const RefCounted&) = delete;
    RefCounted& operator=(const RefCounted&) = delete;

    void add_ref() noexcept { ++refs_; }
    void release() noexcept {
        if (--refs_ == 0) delete this;
    }
    std::uint32_t ref_count() const noexcept { return refs_; }

protected:
    virtual ~RefCounted() = default;

private:
    std::uint32_t refs_ = 0;
};

/// A strong reference to a RefCounted object.
template <class T>
class Ref {
public:
    Ref() noexcept = default;
    explicit Ref(T* p) noexcept : p_(p) {
        if (p_) p_->add_ref();
    }
    Ref(const Ref& o) noexcept : Ref(o.p_) {}
    Ref(Ref&& o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
    template <class U>
    Ref(const Ref<U>& o) noexcept : Ref(static_cast<T*>(o.get())) {}
    Ref& operator=(Ref o) noexcept {
        std::swap(p_, o.p_);
        return *this;
    }
    ~Ref() {
        if (p_) p_->release();
    }

    T* get() const noexcept { return p_; }
    T* operator->() const noexcept { return p_; }
    T& operator*() const noexcept { return *p_; }
    explicit operator bool() const noexcept { return p_ != nullptr; }
    friend bool operator==(const Ref& a, const Ref& b) noexcept { return a.p_ == b.p_; }

    /// Gives up ownership without releasing (the caller now owns one reference).
    T* leak() noexcept { return std::exchange(p_, nullptr); }
    /// Takes over a reference the caller already owns.
    static Ref adopt(T* p) noexcept {
        Ref r;
        r.p_ = p;
        return r;
    }

private:
    T* p_ = nullptr;
};

}  // namespace aio::detail
