#include "conformance.hpp"

namespace conformance {
std::function<std::unique_ptr<aio::EventLoop>()> sim_loop_factory;
std::function<std::function<std::unique_ptr<aio::EventLoop>()>(const std::string& params)> sim_loop_factory_with;
}  // namespace conformance
