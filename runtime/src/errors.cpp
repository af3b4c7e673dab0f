#include "aio/errors.hpp"

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

bool is_cancelled_error(std::exception_ptr e) noexcept {
    if (!e) return false;
    try {
        std::rethrow_exception(e);
    } catch (const CancelledError&) {
        return true;
    } catch (...) {
        return false;
    }
}

}  // namespace aio
