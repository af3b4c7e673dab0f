#pragma once
// aio::ContextVar<T> and aio::Token<T>: Python's contextvars.ContextVar and Token.
//
//     static aio::ContextVar<std::string> request_id("request_id", "-");
//     auto token = request_id.set("r-17");     // in the current context only
//     co_await handle();                        // tasks created in here see "r-17"
//     request_id.reset(token);                  // back to what it was before set()
//
// get() returns the value in the current context (context.hpp says which that is), else the
// variable's default, else throws aio::LookupError; get(d) returns d instead of throwing and
// instead of the variable's default. Values are copied out (a later set() would leave a
// reference dangling): use ContextVar<std::shared_ptr<const X>> for big values.
// A ContextVar is meant to live long (at namespace scope or static, as a module-level
// ContextVar in Python); it is neither copyable nor movable. Values it left in contexts
// are freed with those contexts, even after the variable is gone.
//
// Costs: get() is two thread-local reads and a search of a small sorted array; set() builds a
// new array (O(number of variables set in the context)) and, the first time in a task's or a
// callback's own copy, one allocation for the context object the Token names.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "aio/context.hpp"
#include "aio/errors.hpp"
#include "aio/detail/context_slot.hpp"

namespace aio {

namespace detail {
/// set(): binds var to v (adopted) in the current context, makes that context shareable and
/// returns it; `old` receives the previous value (a reference the caller owns) or null.
ContextCell* context_set(std::uint64_t var, CtxValue* v, CtxValue*& old);
/// reset()'s work after the token's own checks: ValueError unless the current context is
/// `ctx`; then binds var to old (borrowed), or unbinds it when old is null.
void context_reset(std::uint64_t var, ContextCell* ctx, CtxValue* old, const std::string& token_repr);
[[noreturn]] void throw_lookup_error(const std::string& var_name);
[[noreturn]] void throw_token_used(const std::string& token_repr);
[[noreturn]] void throw_token_other_var(const std::string& token_repr);
std::string context_var_repr(const std::string& name);
}  // namespace detail

template <class T>
class ContextVar;

/// What set() returns: restores the previous value with var.reset(token). Copies of a token
/// are the same token (one "used" flag).
template <class T>
class Token {
public:
    /// The variable that made it (Token.var).
    const ContextVar<T>& var() const noexcept { return *s_->var; }
    /// The value before set(); nullopt when the variable had none (Token.MISSING).
    std::optional<T> old_value() const {
        if (!s_->old) return std::nullopt;
        return static_cast<const detail::CtxBox<T>*>(s_->old)->value;
    }
    /// Whether reset() used it already.
    bool used() const noexcept { return s_->used; }

private:
    friend class ContextVar<T>;
    struct State {
        State(const ContextVar<T>* v, std::uint64_t id, Context c, detail::CtxValue* o) noexcept
            : var(v), var_id(id), ctx(std::move(c)), old(o) {}
        State(const State&) = delete;
        State& operator=(const State&) = delete;
        ~State() {
            if (old) old->release();
        }
        const ContextVar<T>* var;
        std::uint64_t var_id;
        Context ctx;
        detail::CtxValue* old;  // owned; null: MISSING
        bool used = false;
    };
    explicit Token(std::shared_ptr<State> s) : s_(std::move(s)) {}
    std::string repr() const {
        return std::string(s_->used ? "<Token used var=" : "<Token var=") + detail::context_var_repr(s_->var->name()) +
               ">";
    }
    std::shared_ptr<State> s_;
};

template <class T>
class ContextVar {
public:
    /// A variable without a default: get() throws LookupError where it has no value.
    explicit ContextVar(std::string name) : id_(detail::next_context_var_id()), name_(std::move(name)) {}
    ContextVar(std::string name, T default_value)
        : id_(detail::next_context_var_id()), name_(std::move(name)), default_(std::move(default_value)) {}
    ContextVar(const ContextVar&) = delete;
    ContextVar& operator=(const ContextVar&) = delete;

    const std::string& name() const noexcept { return name_; }
    /// The default given at construction, if any.
    const std::optional<T>& default_value() const noexcept { return default_; }
    /// The value in the current context, else the default, else LookupError("<ContextVar name='N'>").
    T get() const {
        if (const auto* v = find()) return v->value;
        if (default_) return *default_;
        detail::throw_lookup_error(name_);
    }
    /// The value in the current context, else `fallback` (the variable's default is not used).
    T get(T fallback) const {
        if (const auto* v = find()) return v->value;
        return fallback;
    }
    /// Binds the variable to `value` in the current context; the token restores the old value.
    Token<T> set(T value) {
        auto* box = new detail::CtxBox<T>(std::move(value));
        detail::CtxValue* old = nullptr;
        detail::ContextCell* cell = detail::context_set(id_, box, old);
        auto st = std::make_shared<typename Token<T>::State>(this, id_, Context::from_cell(cell), old);
        return Token<T>(std::move(st));
    }
    /// Restores the value the variable had before token's set() (or unbinds it). Errors, in
    /// CPython's order: RuntimeError if the token was used already; ValueError if another
    /// variable made it, or if it was made in another context than the current one.
    void reset(const Token<T>& token) {
        auto& s = *token.s_;
        if (s.used) detail::throw_token_used(token.repr());
        if (s.var_id != id_) detail::throw_token_other_var(token.repr());
        detail::context_reset(id_, s.ctx.cell(), s.old, token.repr());
        s.used = true;
    }

    /// The variable's number (1, 2, ... in creation order): its key in contexts.
    std::uint64_t id() const noexcept { return id_; }

private:
    const detail::CtxBox<T>* find() const noexcept {
        const detail::CtxMap* m = detail::current_context_slot().map();
        if (!m) return nullptr;
        return static_cast<const detail::CtxBox<T>*>(m->find(id_));
    }

    std::uint64_t id_;
    std::string name_;
    std::optional<T> default_;
};

}  // namespace aio
