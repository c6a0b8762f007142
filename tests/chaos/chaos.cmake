# SPDX-License-Identifier: Apache-2.0
# The randomized fault campaign (scripts/chaos runs many schedules; CI a sample).
add_executable(cradle-chaos ${CMAKE_CURRENT_LIST_DIR}/chaos.cpp)
target_link_libraries(cradle-chaos PRIVATE cradle_test_rig)
add_test(NAME chaos_sample COMMAND cradle-chaos 24 1)
set_tests_properties(chaos_sample PROPERTIES LABELS chaos)
