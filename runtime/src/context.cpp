// Context variables: the maps, the slots, the current-context lookup (detail/context_slot.hpp).
#include <algorithm>
#include <atomic>

#include "aio/context.hpp"
#include "aio/context_var.hpp"
#include "aio/event_loop.hpp"

namespace aio {
namespace detail {

thread_local ContextFrame* t_context_frames = nullptr;

namespace {
thread_local ContextSlot t_base_context;
std::atomic<std::uint64_t> g_next_var_id{0};
}  // namespace

std::uint64_t next_context_var_id() noexcept { return g_next_var_id.fetch_add(1, std::memory_order_relaxed) + 1; }

ContextSlot& thread_base_context() noexcept { return t_base_context; }

ContextSlot& current_context_slot() noexcept {
    EventLoop* loop = t_running_loop;
    TaskBase* t = loop ? loop->current_task_raw() : nullptr;
    ContextFrame* top = t_context_frames;
    if (t && (!top || top->task != t)) return t->context_slot();
    return top ? *top->slot : t_base_context;
}

ContextFrameScope::ContextFrameScope(ContextSlot* slot) noexcept {
    EventLoop* loop = t_running_loop;
    frame_ = {slot, loop ? loop->current_task_raw() : nullptr, t_context_frames};
    t_context_frames = &frame_;
}

// ---- maps ---------------------------------------------------------------------------------

CtxMap::~CtxMap() {
    for (auto& e : entries_) e.value->release();
}

CtxMap* CtxMap::with(const CtxMap* m, std::uint64_t var, CtxValue* v) {
    auto* n = new CtxMap;
    if (m) {
        n->entries_.reserve(m->entries_.size() + 1);
        for (const auto& e : m->entries_)
            if (e.var != var) {
                e.value->add_ref();
                n->entries_.push_back(e);
            }
    }
    auto at = std::lower_bound(n->entries_.begin(), n->entries_.end(), var,
                               [](const Entry& e, std::uint64_t id) { return e.var < id; });
    n->entries_.insert(at, Entry{var, v});
    return n;
}

CtxMap* CtxMap::without(const CtxMap* m, std::uint64_t var) {
    if (!m || !m->find(var)) {
        if (m) const_cast<CtxMap*>(m)->add_ref();
        return const_cast<CtxMap*>(m);
    }
    if (m->entries_.size() == 1) return nullptr;
    auto* n = new CtxMap;
    n->entries_.reserve(m->entries_.size() - 1);
    for (const auto& e : m->entries_)
        if (e.var != var) {
            e.value->add_ref();
            n->entries_.push_back(e);
        }
    return n;
}

CtxValue* CtxMap::find(std::uint64_t var) const noexcept {
    auto at = std::lower_bound(entries_.begin(), entries_.end(), var,
                               [](const Entry& e, std::uint64_t id) { return e.var < id; });
    return at != entries_.end() && at->var == var ? at->value : nullptr;
}

// ---- slots --------------------------------------------------------------------------------

ContextCell* ContextSlot::share() {
    if (ContextCell* c = cell()) return c;
    auto* c = new ContextCell(raw_map());  // the map's reference moves in
    bits_ = reinterpret_cast<std::uintptr_t>(c) | 1U;
    return c;
}

void ContextSlot::replace_map(CtxMap* m) noexcept {
    if (ContextCell* c = cell()) {
        std::swap(c->map, m);
    } else {
        CtxMap* prev = raw_map();
        bits_ = reinterpret_cast<std::uintptr_t>(m);
        m = prev;
    }
    if (m) m->release();
}

void ContextSlot::drop() noexcept {
    if (ContextCell* c = cell())
        c->release();
    else
        raw_map()->release();
    bits_ = 0;
}

// ---- variables ----------------------------------------------------------------------------

std::string context_var_repr(const std::string& name) { return "<ContextVar name='" + name + "'>"; }

void throw_lookup_error(const std::string& var_name) { throw LookupError(context_var_repr(var_name)); }
void throw_token_used(const std::string& token_repr) { throw RuntimeError(token_repr + " has already been used once"); }
void throw_token_other_var(const std::string& token_repr) {
    throw ValueError(token_repr + " was created by a different ContextVar");
}

ContextCell* context_set(std::uint64_t var, CtxValue* v, CtxValue*& old) {
    ContextSlot& slot = current_context_slot();
    ContextCell* cell;
    CtxMap* m;
    try {
        cell = slot.share();
        m = CtxMap::with(cell->map, var, v);
    } catch (...) {
        v->release();
        throw;
    }
    old = cell->map ? cell->map->find(var) : nullptr;
    if (old) old->add_ref();
    slot.replace_map(m);
    return cell;
}

void context_reset(std::uint64_t var, ContextCell* ctx, CtxValue* old, const std::string& token_repr) {
    ContextSlot& slot = current_context_slot();
    if (slot.cell() != ctx) throw ValueError(token_repr + " was created in a different Context");
    CtxMap* m;
    if (old) {
        old->add_ref();
        try {
            m = CtxMap::with(ctx->map, var, old);
        } catch (...) {
            old->release();
            throw;
        }
    } else {
        m = CtxMap::without(ctx->map, var);
    }
    slot.replace_map(m);
}

}  // namespace detail

// ---- Context ------------------------------------------------------------------------------

Context::Context() : cell_(new detail::ContextCell) {}

Context Context::copy() const {
    detail::CtxMap* m = cell_->map;
    if (m) m->add_ref();
    return Context(new detail::ContextCell(m), Adopt{});
}

std::size_t Context::size() const noexcept { return cell_->map ? cell_->map->entries().size() : 0; }

Context copy_context() {
    detail::CtxMap* m = detail::current_context_slot().map();
    if (m) m->add_ref();
    return Context(new detail::ContextCell(m), Context::Adopt{});
}

Context::Enter::Enter(detail::ContextCell* cell) {
    if (cell->entered.exchange(true, std::memory_order_acquire))
        throw RuntimeError("cannot enter context: <Context> is already entered");
    slot_ = detail::ContextSlot::shared(cell);
    EventLoop* loop = detail::t_running_loop;
    frame_ = {&slot_, loop ? loop->current_task_raw() : nullptr, detail::t_context_frames};
    detail::t_context_frames = &frame_;
}

Context::Enter::~Enter() {
    detail::t_context_frames = frame_.prev;
    detail::ContextCell* cell = slot_.cell();
    cell->entered.store(false, std::memory_order_release);
}

}  // namespace aio
