// The raise probe's wrappers (raise_probe.hpp): the linker sends the program's calls of
// __cxa_throw, __cxa_rethrow, std::rethrow_exception and __cxa_begin_catch here (--wrap), and
// __real_X is the C++ runtime's own function. The wrappers have no objects with destructors,
// so they add no landing pad to the raises they time.
#include "raise_probe.hpp"

#include <x86intrin.h>

#include <array>
#include <chrono>
#include <thread>

namespace bench {
namespace {

struct Probe {
    bool on = false;
    int depth = 0;
    std::array<std::uint64_t, 16> start{};  // the raises in flight
    std::array<std::size_t, 16> index{};    // their records
    std::vector<RaiseRecord>* records = nullptr;
};
thread_local Probe t_probe;
thread_local std::vector<RaiseRecord> t_records;

void raise_started() noexcept {
    Probe& p = t_probe;
    if (!p.on || p.depth >= static_cast<int>(p.start.size())) return;
    p.index[static_cast<std::size_t>(p.depth)] = p.records->size();
    p.records->push_back({0.0, p.depth});
    p.start[static_cast<std::size_t>(p.depth++)] = __rdtsc();
}

void raise_caught() noexcept {
    Probe& p = t_probe;
    if (!p.on || p.depth == 0) return;
    const std::uint64_t end = __rdtsc();
    const auto d = static_cast<std::size_t>(--p.depth);
    (*p.records)[p.index[d]].ns = static_cast<double>(end - p.start[d]) * ns_per_tick();
}

}  // namespace

void raise_probe_begin() noexcept {
    (void)ns_per_tick();  // calibrate outside the timed raises
    t_records.clear();
    t_probe.records = &t_records;
    t_probe.depth = 0;
    t_probe.on = true;
}

std::vector<RaiseRecord> raise_probe_end() {
    t_probe.on = false;
    return t_records;
}

double ns_per_tick() noexcept {
    static const double v = [] {
        using clock = std::chrono::steady_clock;
        const auto t0 = clock::now();
        const std::uint64_t c0 = __rdtsc();
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        const std::uint64_t c1 = __rdtsc();
        const auto t1 = clock::now();
        return static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count()) /
               static_cast<double>(c1 - c0);
    }();
    return v;
}

}  // namespace bench

// The wrapped functions take exactly the arguments the callers pass; std::rethrow_exception's
// std::exception_ptr is passed by the address of the caller's copy (a type with a non-trivial
// destructor, Itanium C++ ABI), so the wrapper forwards that address unchanged and makes no
// copy of its own (a copy would be an object with a destructor: a landing pad).
// The three raising functions are declared here as if they returned, so that the compiler
// ends each wrapper with a jump to the real function (a sibling call) instead of a call: the
// wrapper leaves no frame of its own for the unwinder to cross.
// The names are the linker's (--wrap=X links X to __wrap_X and __real_X to X): reserved, and
// necessarily so.
// NOLINTBEGIN(bugprone-reserved-identifier)
extern "C" {
void __real___cxa_throw(void*, void*, void (*)(void*));
void __real___cxa_rethrow();
void __real__ZSt17rethrow_exceptionNSt15__exception_ptr13exception_ptrE(void*);
void* __real___cxa_begin_catch(void*) noexcept;

void __wrap___cxa_throw(void* obj, void* type, void (*dtor)(void*)) {
    bench::raise_started();
    __real___cxa_throw(obj, type, dtor);
}
void __wrap___cxa_rethrow() {
    bench::raise_started();
    __real___cxa_rethrow();
}
void __wrap__ZSt17rethrow_exceptionNSt15__exception_ptr13exception_ptrE(void* p) {
    bench::raise_started();
    __real__ZSt17rethrow_exceptionNSt15__exception_ptr13exception_ptrE(p);
}
void* __wrap___cxa_begin_catch(void* e) noexcept {
    void* r = __real___cxa_begin_catch(e);
    bench::raise_caught();
    return r;
}
}
// NOLINTEND(bugprone-reserved-identifier)
