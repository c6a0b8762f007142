# SPDX-License-Identifier: Apache-2.0
# The PTP codec and datasets: pure code, tested alone (no USB, no transaction engine). The
# codec library comes from tests/fuzz/fuzz.cmake, which the corpus replay shares.
foreach(codec_test test_ptp_container test_ptp_datasets)
  add_executable(${codec_test} ${CMAKE_CURRENT_LIST_DIR}/${codec_test}.cpp)
  target_link_libraries(${codec_test} PRIVATE ptp_codec_under_test GTest::gtest_main)
  gtest_discover_tests(${codec_test} DISCOVERY_MODE PRE_TEST PROPERTIES LABELS unit)
endforeach()
