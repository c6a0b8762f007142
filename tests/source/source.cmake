# SPDX-License-Identifier: Apache-2.0
# The source tree's own rules: licence lines and clang-format (tests/source/check_sources.sh).
add_test(NAME SourceTree.LicenceLinesAndFormat
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/source/check_sources.sh ${PROJECT_SOURCE_DIR})
set_tests_properties(SourceTree.LicenceLinesAndFormat PROPERTIES LABELS unit)
