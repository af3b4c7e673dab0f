#pragma once
// Internal: reporting an error to a loop's exception handler, or, when the loop is already
// gone, to the thread's aio::OrphanReportScope (standard error without one).
#include <string>

#include "aio/event_loop.hpp"

namespace aio::detail {

void report(EventLoop* loop, const ExceptionContext& ctx) noexcept;
/// The text the default exception handler prints (several lines, no final newline).
std::string format_context(const ExceptionContext& ctx, bool with_location);

}  // namespace aio::detail
