# SPDX-License-Identifier: Apache-2.0
# The tests' own support: reading JSON output strictly.
cradle_test(test_json_reading unit ${CMAKE_CURRENT_LIST_DIR}/test_json_reading.cpp)
