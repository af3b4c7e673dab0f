# The example of properties/README.md as a project of its own, built against an installed
# aiosim (installed as share/aiosim/examples/connection_pool/CMakeLists.txt):
#   cmake -S <prefix>/share/aiosim/examples/connection_pool -B build -DCMAKE_PREFIX_PATH=<prefix>
#   cmake --build build && ctest --test-dir build
# aiosim::check brings the simulator and the runtime; doctest and rapidcheck are the user's own
# (the check helpers' integrations with them are header-only).
cmake_minimum_required(VERSION 3.21)
project(connection_pool_example LANGUAGES CXX)

find_package(aiosim 0.1 REQUIRED COMPONENTS check)
find_package(doctest REQUIRED)
find_package(rapidcheck REQUIRED)

add_executable(connection_pool_example main.cpp connection_pool_test.cpp)
target_link_libraries(connection_pool_example PRIVATE aiosim::check doctest::doctest rapidcheck)

enable_testing()
add_test(NAME connection_pool_example COMMAND connection_pool_example)
