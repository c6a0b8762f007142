# SPDX-License-Identifier: Apache-2.0
add_test(NAME DemoCradle.ArchivesWipesFlagsAndVerifies
  COMMAND ${CMAKE_CURRENT_LIST_DIR}/demo_cradle.sh ${CMAKE_BINARY_DIR}/bin ${PROJECT_SOURCE_DIR})
set_tests_properties(DemoCradle.ArchivesWipesFlagsAndVerifies PROPERTIES LABELS e2e)
