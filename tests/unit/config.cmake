# SPDX-License-Identifier: Apache-2.0
# The configuration loader and the emulated cradle's file.
add_executable(test_config ${CMAKE_CURRENT_LIST_DIR}/test_config.cpp)
target_link_libraries(test_config PRIVATE cradle_config cradle_sim_config GTest::gtest_main)
# The tests load the shipped files of etc/ from the source tree.
target_compile_definitions(test_config PRIVATE CRADLED_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
gtest_discover_tests(test_config DISCOVERY_MODE PRE_TEST PROPERTIES LABELS unit)
