# CTest compile_fail.NAME (runtime/tests/compile_fail/CMakeLists.txt): compiles SOURCE, syntax
# only, and checks the outcome its first lines announce:
#   // expect-error: TEXT   compilation fails and the diagnostics contain TEXT
#   // expect: compiles     compilation succeeds
#   // flags: FLAGS          (optional, next) extra compiler flags, e.g. -Wall -Wextra -Werror
# cmake -D CXX=... -D STD_FLAG=-std=c++20 -D INCLUDES=dir1|dir2 -D SOURCE=file.cpp -P compile_check.cmake
file(STRINGS ${SOURCE} expect_error REGEX "^// expect-error: " LIMIT_COUNT 1)
file(STRINGS ${SOURCE} expect_ok REGEX "^// expect: compiles" LIMIT_COUNT 1)
if(NOT expect_error AND NOT expect_ok)
  message(FATAL_ERROR "${SOURCE}: no `// expect-error: TEXT` or `// expect: compiles` line")
endif()
string(REGEX REPLACE "^// expect-error: " "" expect_error "${expect_error}")
file(STRINGS ${SOURCE} extra_flags REGEX "^// flags: " LIMIT_COUNT 1)
string(REGEX REPLACE "^// flags: " "" extra_flags "${extra_flags}")
separate_arguments(extra_flags UNIX_COMMAND "${extra_flags}")

string(REPLACE "|" ";" include_dirs "${INCLUDES}")
list(TRANSFORM include_dirs PREPEND "-I")
# LC_ALL=C: diagnostics in English with ASCII quotes, whatever the user's locale.
execute_process(COMMAND ${CMAKE_COMMAND} -E env LC_ALL=C
                        ${CXX} ${STD_FLAG} -fsyntax-only ${extra_flags} ${include_dirs} ${SOURCE}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)

if(expect_ok)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${SOURCE} must compile but did not:\n${out}")
  endif()
  message(STATUS "compiles, as expected")
  return()
endif()
if(rc EQUAL 0)
  message(FATAL_ERROR "${SOURCE} compiled, but must be rejected with: ${expect_error}")
endif()
string(FIND "${out}" "${expect_error}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "${SOURCE} was rejected, but without the message `${expect_error}`:\n${out}")
endif()
message(STATUS "rejected with: ${expect_error}")
