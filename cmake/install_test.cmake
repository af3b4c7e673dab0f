# CTest `install.consumer`: installs the build tree BUILD_DIR into a fresh prefix, then
# configures, builds and runs against that prefix only (find_package(aiosim) through
# CMAKE_PREFIX_PATH), the way a user's project would: the consumer project CONSUMER_DIR, and
# the installed example of properties/README.md (share/aiosim/examples/connection_pool, which
# needs the check component, doctest and rapidcheck) when the build installed it.
# cmake -D BUILD_DIR=... -D CONFIG=... -D CONSUMER_DIR=... -D WORK_DIR=... -D GENERATOR=...
#       -D CXX_COMPILER=... -P install_test.cmake
foreach(var BUILD_DIR CONSUMER_DIR WORK_DIR GENERATOR CXX_COMPILER)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "install_test.cmake: -D ${var}=... is required")
  endif()
endforeach()

set(prefix ${WORK_DIR}/prefix)
set(consumer_build ${WORK_DIR}/consumer-build)
file(REMOVE_RECURSE ${WORK_DIR})

function(step what)
  message(STATUS "install test: ${what}")
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "install test: ${what} failed (${rc})")
  endif()
endfunction()

set(config_args)
if(CONFIG)
  set(config_args --config ${CONFIG})
endif()
step("cmake --install into ${prefix}"
     ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix} ${config_args})
foreach(f include/aio/aio.hpp)
  if(NOT EXISTS ${prefix}/${f})
    message(FATAL_ERROR "install test: ${prefix}/${f} was not installed")
  endif()
endforeach()

# The consumer sees the install prefix and the system, never the source or build tree.
step("configure the consumer"
     ${CMAKE_COMMAND} -S ${CONSUMER_DIR} -B ${consumer_build} -G ${GENERATOR}
     -D CMAKE_CXX_COMPILER=${CXX_COMPILER}
     -D CMAKE_BUILD_TYPE=${CONFIG}
     -D CMAKE_PREFIX_PATH=${prefix}
     -D CMAKE_FIND_USE_PACKAGE_REGISTRY=OFF)
step("build the consumer" ${CMAKE_COMMAND} --build ${consumer_build} ${config_args})
set(exe ${consumer_build}/aiosim_consumer)
if(CONFIG AND EXISTS ${consumer_build}/${CONFIG}/aiosim_consumer)  # multi-config generators
  set(exe ${consumer_build}/${CONFIG}/aiosim_consumer)
endif()
step("run the consumer" ${exe})

# The installed example: its own CMakeLists.txt, the check component, the user's doctest and
# rapidcheck. Installed whenever aiosim::check is (AIOSIM_BUILD_TOOLS or AIOSIM_BUILD_TESTS).
set(example ${prefix}/share/aiosim/examples/connection_pool)
if(EXISTS ${BUILD_DIR}/properties)
  if(NOT EXISTS ${example}/CMakeLists.txt)
    message(FATAL_ERROR "install test: the example of properties/README.md was not installed in ${example}")
  endif()
  set(example_build ${WORK_DIR}/example-build)
  step("configure the installed example"
       ${CMAKE_COMMAND} -S ${example} -B ${example_build} -G ${GENERATOR}
       -D CMAKE_CXX_COMPILER=${CXX_COMPILER}
       -D CMAKE_BUILD_TYPE=${CONFIG}
       -D CMAKE_PREFIX_PATH=${prefix}
       -D CMAKE_FIND_USE_PACKAGE_REGISTRY=OFF)
  step("build the installed example" ${CMAKE_COMMAND} --build ${example_build} ${config_args})
  get_filename_component(cmake_bin ${CMAKE_COMMAND} DIRECTORY)
  set(ctest_config)
  if(CONFIG)
    set(ctest_config -C ${CONFIG})
  endif()
  step("run the installed example's tests"
       ${cmake_bin}/ctest --test-dir ${example_build} --output-on-failure ${ctest_config} --no-tests=error)
endif()
