# SPDX-License-Identifier: Apache-2.0
# Fuzzing the parsers of device data (docs/fuzzing.md).
#
# Always: one replay executable per target runs the committed corpus (tests/fuzz/corpus/<name>/)
# through the target's entry point as an ordinary ctest test (label `fuzz`), so that every build
# checks that no seed and no past finding crashes or breaks a codec property.
# With CRADLED_FUZZ=ON (clang only): the libFuzzer executables bin/fuzz_<name>, built by the
# target `fuzz_targets` (the `fuzz` preset; scripts/fuzz runs them).

# The codec alone (with the UTF-8 decoder it shares with every layer): the replay, the fuzzers
# and the codec unit tests need nothing else.
set(ptp_codec_sources
  ${PROJECT_SOURCE_DIR}/common/utf8.cpp
  ${PROJECT_SOURCE_DIR}/hw/ptp/codes.cpp
  ${PROJECT_SOURCE_DIR}/hw/ptp/container.cpp
  ${PROJECT_SOURCE_DIR}/hw/ptp/datasets.cpp
)
add_library(ptp_codec_under_test STATIC ${ptp_codec_sources})
target_include_directories(ptp_codec_under_test PUBLIC ${PROJECT_SOURCE_DIR})

set(fuzz_target_names
  container_header
  params_container
  device_info
  storage_info
  object_info
  ptp_string
  prop_value
  datetime
  object_handles
)

if(CRADLED_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "CRADLED_FUZZ needs clang (libFuzzer): use the `fuzz` preset")
  endif()
  set(fuzz_sanitizers -fsanitize=address,undefined -fno-sanitize-recover=undefined
      -fno-omit-frame-pointer)
  # The codec instrumented for coverage; the fuzzers add libFuzzer's main.
  add_library(ptp_codec_fuzzing STATIC ${ptp_codec_sources})
  target_include_directories(ptp_codec_fuzzing PUBLIC ${PROJECT_SOURCE_DIR})
  target_compile_options(ptp_codec_fuzzing PUBLIC -fsanitize=fuzzer-no-link ${fuzz_sanitizers})
  target_link_options(ptp_codec_fuzzing PUBLIC -fsanitize=fuzzer ${fuzz_sanitizers})
  add_custom_target(fuzz_targets)
endif()

# cradle_fuzz_target(NAME [EXTRA_SOURCES...]): the replay test of tests/fuzz/fuzz_NAME.cpp over
# its corpus and, with CRADLED_FUZZ, its libFuzzer executable; both built with EXTRA_SOURCES.
function(cradle_fuzz_target name)
  set(target_source ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/fuzz_${name}.cpp ${ARGN})
  add_executable(fuzz_replay_${name} ${target_source}
    ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/replay_main.cpp)
  target_link_libraries(fuzz_replay_${name} PRIVATE ptp_codec_under_test)
  add_test(NAME FuzzCorpus.${name}
    COMMAND fuzz_replay_${name} ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/corpus/${name})
  set_tests_properties(FuzzCorpus.${name} PROPERTIES LABELS fuzz)

  if(CRADLED_FUZZ)
    add_executable(fuzz_${name} ${target_source})
    target_link_libraries(fuzz_${name} PRIVATE ptp_codec_fuzzing)
    add_dependencies(fuzz_targets fuzz_${name})
  endif()
endfunction()

foreach(name IN LISTS fuzz_target_names)
  cradle_fuzz_target(${name})
endforeach()
# The transaction engine's data phase read across calls: the codec and the engine.
cradle_fuzz_target(data_in_stream ${PROJECT_SOURCE_DIR}/hw/ptp/session.cpp)

# Writes the seed corpus from the encoders (run by hand when a dataset changes; its output is
# committed).
add_executable(fuzz_write_seeds ${CMAKE_CURRENT_LIST_DIR}/write_seeds.cpp)
target_link_libraries(fuzz_write_seeds PRIVATE ptp_codec_under_test)
