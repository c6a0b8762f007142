# Fuzzing the parsers of device data (docs/fuzzing.md).
#
# Always: one replay executable per target runs the committed corpus (tests/fuzz/corpus/<name>/)
# through the target's entry point as an ordinary ctest test (label `fuzz`), so every build
# checks that no seed and no past finding crashes.
# With CRADLED_FUZZ=ON and clang: the libFuzzer executables bin/fuzz_<name>.

# The codec alone: the replay, the fuzzers and the codec unit tests need nothing else.
set(ptp_codec_sources
  ${PROJECT_SOURCE_DIR}/hw/ptp/codes.cpp
  ${PROJECT_SOURCE_DIR}/hw/ptp/container.cpp
  ${PROJECT_SOURCE_DIR}/hw/ptp/datasets.cpp
)
add_library(ptp_codec_under_test STATIC ${ptp_codec_sources})
target_include_directories(ptp_codec_under_test PUBLIC ${PROJECT_SOURCE_DIR})

set(fuzz_target_names)
