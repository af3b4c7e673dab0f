#include "conformance.hpp"

namespace conformance {
std::function<std::unique_ptr<aio::EventLoop>()> sim_loop_factory;
}
