#include "aio/net/errors.hpp"

#include <netdb.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace aio {

namespace {

class GaiCategory final : public std::error_category {
public:
    const char* name() const noexcept override { return "getaddrinfo"; }
    std::string message(int code) const override { return ::gai_strerror(code); }
};
}  // namespace

OSError::OSError(int err, std::string operation, std::string detail)
    : OSError(std::error_code(err, std::generic_category()), std::move(operation),
              fmt::format("[Errno {}] {}", err, detail.empty() ? std::string(std::strerror(err)) : detail)) {}

const std::error_category& gai_category() noexcept {
    static const GaiCategory category;
    return category;
}

gaierror::gaierror(int eai_code, std::string operation)
    : OSError(std::error_code(eai_code, gai_category()), std::move(operation),
              fmt::format("[Errno {}] {}", eai_code, ::gai_strerror(eai_code))) {}

void throw_os_error(int err, std::string operation, std::string detail) {
    switch (err) {
    case EPIPE:
    case ESHUTDOWN: throw BrokenPipeError(err, std::move(operation), std::move(detail));
    case ECONNABORTED: throw ConnectionAbortedError(err, std::move(operation), std::move(detail));
    case ECONNREFUSED: throw ConnectionRefusedError(err, std::move(operation), std::move(detail));
    case ECONNRESET: throw ConnectionResetError(err, std::move(operation), std::move(detail));
    default: throw OSError(err, std::move(operation), std::move(detail));
    }
}

}  // namespace aio
