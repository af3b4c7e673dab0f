#pragma once
// The machinery behind aio::Context and aio::ContextVar (context.hpp, context_var.hpp).
//
// A context is a map from variable to value. Maps are immutable once built (a set() builds a
// new one), so copying a context is copying one pointer: a task, a callback and a to_thread
// job each hold their own copy that way. The counts are atomic because to_thread workers hold
// copies too; the empty map is a null pointer, so a program that never sets a variable never
// allocates or counts anything.
//
// ContextSlot is what a task, a callback node or a to_thread job stores: one word, either a
// private map pointer (the default copy, which no user handle names) or a shared ContextCell
// (an aio::Context: the explicit `context=` argument, or a private copy made nameable by the
// first set() in it, which a Token must name, or by Task::get_context()).
//
// The current context is found, not switched: nothing is saved or restored per task step.
// Context::run, a callback's invoke and a to_thread worker push a ContextFrame (on the C++
// stack) naming the slot they run in and the task current at that moment; the current slot
// is the running task's, unless the innermost frame was pushed during that task's own step
// (Context::run inside a step), else the innermost frame's, else the thread's base context.
// So code anywhere in a task's step (an async generator's body it iterates, an eager child's
// first step with its own task current) sees the right context without the step doing work.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace aio::detail {

class TaskBase;

/// A value held by contexts: a ContextVar<T>'s value, boxed. Freed on the thread that drops
/// the last reference (a to_thread job's copy is dropped on the loop's thread).
class CtxValue {
public:
    CtxValue() = default;
    CtxValue(const CtxValue&) = delete;
    CtxValue& operator=(const CtxValue&) = delete;
    void add_ref() noexcept { refs_.fetch_add(1, std::memory_order_relaxed); }
    void release() noexcept {
        if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
    }

protected:
    virtual ~CtxValue() = default;

private:
    std::atomic<std::uint32_t> refs_{1};
};

template <class T>
class CtxBox final : public CtxValue {
public:
    explicit CtxBox(T v) : value(std::move(v)) {}
    const T value;
};

/// An immutable map var id -> value, sorted by id (ids count up from 1 as variables are made,
/// so iteration order is creation order). Starts with one reference, the creator's.
class CtxMap {
public:
    struct Entry {
        std::uint64_t var;
        CtxValue* value;  // one reference per entry
    };
    CtxMap(const CtxMap&) = delete;
    CtxMap& operator=(const CtxMap&) = delete;

    /// m (may be null) with var bound to v (whose reference the new map takes over).
    static CtxMap* with(const CtxMap* m, std::uint64_t var, CtxValue* v);
    /// m without var; null when nothing is left.
    static CtxMap* without(const CtxMap* m, std::uint64_t var);
    CtxValue* find(std::uint64_t var) const noexcept;
    const std::vector<Entry>& entries() const noexcept { return entries_; }

    void add_ref() noexcept { refs_.fetch_add(1, std::memory_order_relaxed); }
    void release() noexcept {
        if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
    }

private:
    CtxMap() = default;
    ~CtxMap();
    std::atomic<std::uint32_t> refs_{1};
    std::vector<Entry> entries_;
};

/// What an aio::Context handle points at: a mutable cell around an immutable map (Python's
/// PyContext). The map is replaced by set() while the cell is current; `entered` is
/// Context::run's "already entered" flag.
class ContextCell {
public:
    ContextCell() = default;
    explicit ContextCell(CtxMap* adopted) noexcept : map(adopted) {}
    ContextCell(const ContextCell&) = delete;
    ContextCell& operator=(const ContextCell&) = delete;
    void add_ref() noexcept { refs_.fetch_add(1, std::memory_order_relaxed); }
    void release() noexcept {
        if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
    }

    CtxMap* map = nullptr;  // owns one reference; null: empty
    std::atomic<bool> entered{false};

private:
    ~ContextCell() {
        if (map) map->release();
    }
    std::atomic<std::uint32_t> refs_{1};
};

/// One word: a private map (low bit 0; null is the empty context) or a shared cell (low bit 1).
class ContextSlot {
public:
    constexpr ContextSlot() noexcept = default;
    ContextSlot(const ContextSlot&) = delete;
    ContextSlot& operator=(const ContextSlot&) = delete;
    ContextSlot(ContextSlot&& o) noexcept : bits_(std::exchange(o.bits_, 0)) {}
    ContextSlot& operator=(ContextSlot&& o) noexcept {
        std::swap(bits_, o.bits_);
        return *this;
    }
    ~ContextSlot() {
        if (bits_) drop();
    }

    /// A slot holding `cell` (one more reference to it).
    static ContextSlot shared(ContextCell* cell) noexcept {
        cell->add_ref();
        ContextSlot s;
        s.bits_ = reinterpret_cast<std::uintptr_t>(cell) | 1U;
        return s;
    }
    /// A private copy of this slot's map: what a new task or callback gets. No count is touched
    /// while nothing was ever set (the map is null).
    ContextSlot copy() const noexcept {
        ContextSlot s;
        CtxMap* m = map();
        if (m) [[unlikely]] {
            m->add_ref();
            s.bits_ = reinterpret_cast<std::uintptr_t>(m);
        }
        return s;
    }

    CtxMap* map() const noexcept {
        if (bits_ & 1U) [[unlikely]]
            return raw_cell()->map;
        return raw_map();
    }
    /// The shared cell, or null for a private slot.
    ContextCell* cell() const noexcept { return (bits_ & 1U) ? raw_cell() : nullptr; }
    /// The cell, made first if the slot is private (its map moves into it).
    ContextCell* share();
    /// Replaces the map (adopting m's reference; m may be null).
    void replace_map(CtxMap* m) noexcept;
    /// Whether the slot holds no map at all (white-box tests: the cost guard).
    bool empty_private() const noexcept { return bits_ == 0; }

private:
    // The word's two readings. The slot is one tagged word on purpose: it is what every task
    // and callback carries, and the cost bound is one pointer copy at creation.
    CtxMap* raw_map() const noexcept {
        return reinterpret_cast<CtxMap*>(bits_);  // NOLINT(performance-no-int-to-ptr): tagged word
    }
    ContextCell* raw_cell() const noexcept {
        return reinterpret_cast<ContextCell*>(bits_ & ~std::uintptr_t{1});  // NOLINT(performance-no-int-to-ptr)
    }
    void drop() noexcept;
    std::uintptr_t bits_ = 0;
};

/// An entry of the thread's stack of entered contexts (see the top of this file).
struct ContextFrame {
    ContextSlot* slot;
    TaskBase* task;  // the task current when the frame was pushed; null outside steps
    ContextFrame* prev;
};
extern thread_local ContextFrame* t_context_frames;

/// The thread's context outside any task and frame.
ContextSlot& thread_base_context() noexcept;
/// The slot code running now on this thread reads and sets.
ContextSlot& current_context_slot() noexcept;

/// Runs the scope in `slot` (a callback's, a to_thread job's).
class ContextFrameScope {
public:
    explicit ContextFrameScope(ContextSlot* slot) noexcept;
    ~ContextFrameScope() { t_context_frames = frame_.prev; }
    ContextFrameScope(const ContextFrameScope&) = delete;
    ContextFrameScope& operator=(const ContextFrameScope&) = delete;

private:
    ContextFrame frame_;
};

/// The ids of ContextVars: 1, 2, ... in creation order, never reused.
std::uint64_t next_context_var_id() noexcept;

}  // namespace aio::detail
