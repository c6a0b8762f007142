# SPDX-License-Identifier: Apache-2.0
# The PTP transaction engine and driver, and the emulated PTP camera they are tested against.
# Like the emulated camera's tests, these link the hardware layer alone.
foreach(ptp_test test_ptp_session test_ptp_camera)
  add_executable(${ptp_test}
    ${CMAKE_CURRENT_LIST_DIR}/${ptp_test}.cpp
    ${PROJECT_SOURCE_DIR}/tests/support/temp_dir.cpp
  )
  target_include_directories(${ptp_test} PRIVATE ${PROJECT_SOURCE_DIR})
  target_link_libraries(${ptp_test} PRIVATE cradle_sim cradle_common GTest::gtest_main)
  gtest_discover_tests(${ptp_test} DISCOVERY_MODE PRE_TEST PROPERTIES LABELS unit)
endforeach()
