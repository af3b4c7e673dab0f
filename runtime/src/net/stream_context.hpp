#pragma once
// The exception-handler context the memory transport and the streams report with (asyncio's
// {'message': ..., 'exception': ...}).
#include <exception>
#include <string>

#include "aio/event_loop.hpp"

namespace aio::detail {

inline ExceptionContext error_context(std::string message, std::exception_ptr e) {
    ExceptionContext ctx;
    ctx.message = std::move(message);
    ctx.exception = std::move(e);
    return ctx;
}

}  // namespace aio::detail
