#include "aio/errors.hpp"

#include "aio/net/errors.hpp"
#include "aio/net/stream_errors.hpp"

#include <cxxabi.h>

#include <array>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <typeinfo>

namespace aio {

namespace {

std::string demangle_now(const char* name) {
    int status = 0;
    std::unique_ptr<char, void (*)(void*)> out(abi::__cxa_demangle(name, nullptr, nullptr, &status), std::free);
    return status == 0 && out ? std::string(out.get()) : std::string(name);
}

// The last few names demangled on this thread, by the mangled name (describing the exception
// of every task that ends with one demangled its type each time).
std::string demangle(const char* name) {
    struct Known {
        std::string mangled;
        std::string demangled;
    };
    thread_local std::array<Known, 8> known{};
    thread_local std::size_t next = 0;
    for (const Known& k : known)
        if (!k.mangled.empty() && k.mangled == name) return k.demangled;
    std::string d = demangle_now(name);
    known[next] = {name, d};
    next = (next + 1) % known.size();
    return d;
}

struct Parts {
    std::string type;
    std::string message;
};

// Python's names for aio's types. The OSError family (aio/net/errors.hpp) goes most derived
// first, before std::exception (OSError is a std::system_error); its what() is Python's str().
// `probe.template as<T>()` is the exception as a `const T&` handler would catch it, or null:
// the first match in this order is what a chain of catch clauses in this order would pick.
// `only` >= 0 tries that entry of the chain only; `matched` is set to the entry that matched
// (kNoEntry: none), so a caller that knows the dynamic type's entry asks once.
constexpr int kNoEntry = 1000;
template <class Probe>
Parts split_by(const Probe& probe, int only, int& matched) {
    int i = -1;
    auto tries = [&] {
        ++i;
        return only < 0 || only == i;
    };
    if (tries())
        if (const auto* c = probe.template as<CancelledError>())
            return matched = i, Parts{"CancelledError", c->message()};
#define AIO_SPLIT_WHAT(T, NAME) \
    if (tries())                \
        if (const auto* x = probe.template as<T>()) return matched = i, Parts{NAME, x->what()};
    AIO_SPLIT_WHAT(BrokenBarrierError, "BrokenBarrierError")
    AIO_SPLIT_WHAT(RuntimeError, "RuntimeError")
    AIO_SPLIT_WHAT(ValueError, "ValueError")
    AIO_SPLIT_WHAT(TimeoutError, "TimeoutError")
    AIO_SPLIT_WHAT(InvalidStateError, "InvalidStateError")
    AIO_SPLIT_WHAT(ExceptionGroup, "ExceptionGroup")
    AIO_SPLIT_WHAT(BaseExceptionGroup, "BaseExceptionGroup")
    AIO_SPLIT_WHAT(QueueFull, "QueueFull")
    AIO_SPLIT_WHAT(QueueEmpty, "QueueEmpty")
    AIO_SPLIT_WHAT(LookupError, "LookupError")
    if (tries())
        if (probe.template as<KeyboardInterrupt>()) return matched = i, Parts{"KeyboardInterrupt", ""};
    if (tries())
        if (probe.template as<GeneratorExit>()) return matched = i, Parts{"GeneratorExit", ""};
    AIO_SPLIT_WHAT(BrokenPipeError, "BrokenPipeError")
    AIO_SPLIT_WHAT(ConnectionAbortedError, "ConnectionAbortedError")
    AIO_SPLIT_WHAT(ConnectionRefusedError, "ConnectionRefusedError")
    AIO_SPLIT_WHAT(ConnectionResetError, "ConnectionResetError")
    AIO_SPLIT_WHAT(ConnectionError, "ConnectionError")
    AIO_SPLIT_WHAT(gaierror, "gaierror")  // socket.gaierror's __name__
    AIO_SPLIT_WHAT(OSError, "OSError")
    AIO_SPLIT_WHAT(IncompleteReadError, "IncompleteReadError")
    AIO_SPLIT_WHAT(LimitOverrunError, "LimitOverrunError")
    AIO_SPLIT_WHAT(EOFError, "EOFError")
#undef AIO_SPLIT_WHAT
    if (tries())
        if (const auto* x = probe.template as<std::exception>())
            return matched = i, Parts{demangle(typeid(*x).name()), x->what()};
    if (only >= 0 && only != kNoEntry) return split_by(probe, -1, matched);  // not the entry known
    matched = kNoEntry;
    const std::type_info* t = probe.type();
    return {t ? demangle(t->name()) : std::string("unknown exception"), ""};
}

#if defined(__GLIBCXX__)
// libstdc++: the handler match read from the Itanium C++ ABI, as the personality routine does
// it (type_info::__do_catch on the thrown object), without throwing: describing the exception
// of every task that ends with one (the trace's raised events) cost a full unwind each.
class Probe {
public:
    explicit Probe(const std::exception_ptr& e) noexcept : type_(e.__cxa_exception_type()) {
        static_assert(sizeof(std::exception_ptr) == sizeof(void*));
        // libstdc++'s exception_ptr is one pointer, the thrown object; its bytes are read, not moved
        std::memcpy(&object_, &e, sizeof object_);  // NOLINT(bugprone-undefined-memory-manipulation)
    }
    template <class T>
    const T* as() const noexcept {
        if (!type_ || !object_) return nullptr;
        void* p = object_;
        return typeid(T).__do_catch(type_, &p, 1) ? static_cast<const T*>(p) : nullptr;
    }
    const std::type_info* type() const noexcept { return type_; }

private:
    const std::type_info* type_;
    void* object_ = nullptr;
};
#else
// Elsewhere: rethrow and catch, once per type asked.
class Probe {
public:
    explicit Probe(const std::exception_ptr& e) noexcept : e_(e) {}
    template <class T>
    const T* as() const {
        try {
            std::rethrow_exception(e_);
        } catch (const T& x) {
            return &x;  // the object e_ holds: it outlives this call
        } catch (...) {
            return nullptr;
        }
    }
    const std::type_info* type() const {
        try {
            std::rethrow_exception(e_);
        } catch (...) {
            return abi::__cxa_current_exception_type();
        }
    }

private:
    std::exception_ptr e_;
};
#endif

Parts split(std::exception_ptr e) {
    if (!e) return {"<no exception>", ""};
    const Probe probe(e);
    int matched = kNoEntry;
#if defined(__GLIBCXX__)
    // Which entry of the chain a dynamic type matches, for the last few types described on
    // this thread: one handler match instead of one per entry before it.
    struct Known {
        const std::type_info* type = nullptr;
        int entry = kNoEntry;
    };
    thread_local std::array<Known, 8> known{};
    thread_local std::size_t next = 0;
    const std::type_info* t = probe.type();
    for (const Known& k : known)
        if (t && k.type == t) return split_by(probe, k.entry, matched);
    Parts p = split_by(probe, -1, matched);
    if (t) {
        known[next] = {t, matched};
        next = (next + 1) % known.size();
    }
    return p;
#else
    return split_by(probe, -1, matched);
#endif
}

}  // namespace

std::string describe(std::exception_ptr e) {
    auto p = split(e);
    if (p.message.empty()) return p.type;
    return p.type + ": " + p.message;
}

std::string exception_type_name(std::exception_ptr e) { return split(e).type; }
std::string exception_message(std::exception_ptr e) { return split(e).message; }

#if defined(__GLIBCXX__)
namespace {
// Whether a handler for CancelledError catches an exception of type t (t is CancelledError
// or has it as a public base), read from the Itanium C++ ABI's type descriptions. Every
// task that ends with an exception asks this; rethrowing to find out costs a full unwind.
bool caught_as_cancelled(const std::type_info* t) {
    if (*t == typeid(CancelledError)) return true;
    if (auto* si = dynamic_cast<const abi::__si_class_type_info*>(t)) return caught_as_cancelled(si->__base_type);
    if (auto* vmi = dynamic_cast<const abi::__vmi_class_type_info*>(t)) {
        for (unsigned i = 0; i < vmi->__base_count; ++i) {
            const auto& b = vmi->__base_info[i];
            if ((b.__offset_flags & abi::__base_class_type_info::__public_mask) && caught_as_cancelled(b.__base_type))
                return true;
        }
    }
    return false;
}
}  // namespace
#endif

bool is_cancelled_error(std::exception_ptr e) noexcept {
    if (!e) return false;
#if defined(__GLIBCXX__)
    if (const std::type_info* t = e.__cxa_exception_type()) {
        // Per thread, the last type that answered yes and the last that answered no: a run
        // asks about the same few types again and again (a task's error, CancelledError), and
        // each walk costs a few dynamic_casts and name compares. A type_info object has static
        // storage duration, so its address names its type for as long as it can be thrown.
        thread_local const std::type_info* last_yes = nullptr;
        thread_local const std::type_info* last_no = nullptr;
        if (t == last_yes) return true;
        if (t == last_no) return false;
        const bool answer = caught_as_cancelled(t);
        (answer ? last_yes : last_no) = t;
        return answer;
    }
#endif
    try {
        std::rethrow_exception(e);
    } catch (const CancelledError&) {
        return true;
    } catch (...) {
        return false;
    }
}

}  // namespace aio
