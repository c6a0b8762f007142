# SPDX-License-Identifier: Apache-2.0
# The emulated camera and cradle. These tests link the hardware emulation directly (plus
# common/ for SHA-256, and the temporary directory), not the whole core, so that they exercise
# the hw layer alone, as the layering requires.
foreach(sim_test test_sim_camera test_sim_cradle)
  add_executable(${sim_test}
    ${CMAKE_CURRENT_LIST_DIR}/${sim_test}.cpp
    ${PROJECT_SOURCE_DIR}/tests/support/temp_dir.cpp
  )
  target_include_directories(${sim_test} PRIVATE ${PROJECT_SOURCE_DIR})
  target_link_libraries(${sim_test} PRIVATE cradle_sim cradle_common GTest::gtest_main)
  gtest_discover_tests(${sim_test} DISCOVERY_MODE PRE_TEST PROPERTIES LABELS unit)
endforeach()
