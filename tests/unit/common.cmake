# SPDX-License-Identifier: Apache-2.0
# What every layer uses from common/: files replaced whole and read whole, text keys and
# predicates, CSV and JSON writing, UTF-8.
cradle_test(common_test unit
  ${CMAKE_CURRENT_LIST_DIR}/test_common_files.cpp
  ${CMAKE_CURRENT_LIST_DIR}/test_common_text.cpp)

# The programs' command lines: the shared reader and the real cradled's usage and exit statuses.
cradle_test(command_line_test unit ${CMAKE_CURRENT_LIST_DIR}/test_command_line.cpp)
target_link_libraries(command_line_test PRIVATE cradle_command_line)
add_dependencies(command_line_test cradled)
