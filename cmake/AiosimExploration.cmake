# aiosim_add_exploration: an exploration of a scenario as CTest tests, one per shard.
#
#   include(AiosimExploration)   # find_package(aiosim) includes it; so does aiosim's own build
#   aiosim_add_exploration(NAME explore.my_cache TARGET my_scenarios SCENARIO cache_race
#                          SEEDS 20000 SHARDS 4 [POLICY pos] [ARGS --faults 2 ...] [EXPECT_FAILURE]
#                          [ALLOW_EMPTY] [JUNIT_DIR dir] [CORPUS dir] [SAVE_FAILURES dir]
#                          [TIMEOUT seconds] [LABELS label...])
#
# registers SHARDS tests, NAME.shard-1-of-4 ... NAME.shard-4-of-4, each running
#   <TARGET> explore SCENARIO --seeds SEEDS --shard-index I --shard-total K [--policy P] ARGS...
# (shard I takes every K-th seed of the SEEDS), so `ctest -j` spreads one exploration over
# cores (and CI machines that split a ctest run). TARGET is an executable target linking
# aiosim::cli_main (a tool over your scenarios, or aiosim's own `aiosim`), or a path to one.
# Without POLICY the tool's default (the portfolio) runs. EXPECT_FAILURE: the scenario has a
# known bug, and each shard must find it (--expect-failure: give every shard enough seeds).
# ALLOW_EMPTY passes a shard that gets no seed (more shards than seeds), which otherwise fails.
# JUNIT_DIR: each shard writes DIR/NAME.shard-I-of-K.xml (--junit). CORPUS / SAVE_FAILURES: the
# regression corpus replayed first / the folder new failures are saved into. The tests have
# the labels `explore` and LABELS, and TIMEOUT (default 300 s).
function(aiosim_add_exploration)
  cmake_parse_arguments(PARSE_ARGV 0 arg "EXPECT_FAILURE;ALLOW_EMPTY"
                        "NAME;TARGET;SCENARIO;SEEDS;SHARDS;POLICY;JUNIT_DIR;CORPUS;SAVE_FAILURES;TIMEOUT"
                        "ARGS;LABELS")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "aiosim_add_exploration: unexpected arguments: ${arg_UNPARSED_ARGUMENTS}")
  endif()
  foreach(required NAME TARGET SCENARIO SEEDS)
    if(NOT arg_${required})
      message(FATAL_ERROR "aiosim_add_exploration: ${required} is required (NAME, TARGET, SCENARIO, SEEDS; SHARDS "
                          "defaults to 1)")
    endif()
  endforeach()
  if(NOT DEFINED arg_SHARDS)
    set(arg_SHARDS 1)
  endif()
  if(NOT arg_SHARDS MATCHES "^[1-9][0-9]*$" OR NOT arg_SEEDS MATCHES "^[1-9][0-9]*$")
    message(FATAL_ERROR "aiosim_add_exploration(${arg_NAME}): SEEDS and SHARDS must be whole numbers from 1, got "
                        "SEEDS '${arg_SEEDS}' SHARDS '${arg_SHARDS}'")
  endif()
  if(NOT arg_TIMEOUT)
    set(arg_TIMEOUT 300)
  endif()
  if(TARGET ${arg_TARGET})
    set(exe $<TARGET_FILE:${arg_TARGET}>)
  else()
    set(exe ${arg_TARGET})
  endif()
  set(common explore ${arg_SCENARIO} --seeds ${arg_SEEDS})
  if(arg_POLICY)
    list(APPEND common --policy ${arg_POLICY})
  endif()
  if(arg_EXPECT_FAILURE)
    list(APPEND common --expect-failure)
  endif()
  if(arg_ALLOW_EMPTY)
    list(APPEND common --allow-empty)
  endif()
  if(arg_CORPUS)
    list(APPEND common --corpus ${arg_CORPUS})
  endif()
  if(arg_SAVE_FAILURES)
    list(APPEND common --save-failures ${arg_SAVE_FAILURES})
  endif()
  math(EXPR last "${arg_SHARDS} - 1")
  foreach(index RANGE 0 ${last})
    math(EXPR number "${index} + 1")
    set(test ${arg_NAME}.shard-${number}-of-${arg_SHARDS})
    set(junit)
    if(arg_JUNIT_DIR)
      set(junit --junit ${arg_JUNIT_DIR}/${test}.xml)
    endif()
    add_test(NAME ${test}
             COMMAND ${exe} ${common} --shard-index ${index} --shard-total ${arg_SHARDS} ${junit} ${arg_ARGS})
    set_tests_properties(${test} PROPERTIES LABELS "explore;${arg_LABELS}" TIMEOUT ${arg_TIMEOUT})
  endforeach()
endfunction()
