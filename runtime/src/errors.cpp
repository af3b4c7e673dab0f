#include "aio/errors.hpp"

#include "aio/net/stream_errors.hpp"

#include <cxxabi.h>

#include <cstdlib>
#include <memory>
#include <typeinfo>

namespace aio {

namespace {

std::string demangle(const char* name) {
    int status = 0;
    std::unique_ptr<char, void (*)(void*)> out(abi::__cxa_demangle(name, nullptr, nullptr, &status), std::free);
    return status == 0 && out ? std::string(out.get()) : std::string(name);
}

struct Parts {
    std::string type;
    std::string message;
};

Parts split(std::exception_ptr e) {
    if (!e) return {"<no exception>", ""};
    try {
        std::rethrow_exception(e);
    } catch (const CancelledError& c) {
        return {"CancelledError", c.message()};
    } catch (const BrokenBarrierError& x) {
        return {"BrokenBarrierError", x.what()};
    } catch (const RuntimeError& x) {
        return {"RuntimeError", x.what()};
    } catch (const ValueError& x) {
        return {"ValueError", x.what()};
    } catch (const TimeoutError& x) {
        return {"TimeoutError", x.what()};
    } catch (const InvalidStateError& x) {
        return {"InvalidStateError", x.what()};
    } catch (const ExceptionGroup& x) {
        return {"ExceptionGroup", x.what()};
    } catch (const QueueFull& x) {
        return {"QueueFull", x.what()};
    } catch (const QueueEmpty& x) {
        return {"QueueEmpty", x.what()};
    } catch (const IncompleteReadError& x) {
        return {"IncompleteReadError", x.what()};
    } catch (const LimitOverrunError& x) {
        return {"LimitOverrunError", x.what()};
    } catch (const EOFError& x) {
        return {"EOFError", x.what()};
    } catch (const std::exception& x) {
        return {demangle(typeid(x).name()), x.what()};
    } catch (...) {
        auto* t = abi::__cxa_current_exception_type();
        return {t ? demangle(t->name()) : std::string("unknown exception"), ""};
    }
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
    if (const std::type_info* t = e.__cxa_exception_type()) return caught_as_cancelled(t);
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
