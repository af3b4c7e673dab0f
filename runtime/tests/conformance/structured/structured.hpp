#pragma once
// Shared by the C++ halves of the structured-concurrency pairs (the Python halves inline the
// same few lines: a helper .py here would be taken for a pair).
#include <stdexcept>
#include <string>
#include <vector>

#include "conformance.hpp"

// Python's built-in exception types the pairs raise, named as Python names them (aio's own
// types cover RuntimeError, ValueError, TimeoutError).
struct TypeError : std::runtime_error {
    using std::runtime_error::runtime_error;
};
struct LookupError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

namespace conformance {

/// Python's str() of a list of strings: ['a', 'b'].
inline std::string pylist(const std::vector<std::string>& v) {
    std::string s = "[";
    for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", '" : "'") + v[i] + "'";
    return s + "]";
}

/// Python twin:
///     def show(e, indent=''):
///         print(f'{indent}{type(e).__name__}: {e}')
///         if isinstance(e, BaseExceptionGroup):
///             for sub in e.exceptions:
///                 show(sub, indent + '  ')
inline void show(std::exception_ptr e, const std::string& indent = "") {
    out("{}{}: {}", indent, type(e), msg(e));
    try {
        std::rethrow_exception(e);
    } catch (const aio::ExceptionGroup& g) {
        for (auto& sub : g.exceptions()) show(sub, indent + "  ");
    } catch (...) {}
}

}  // namespace conformance
