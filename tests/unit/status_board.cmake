# SPDX-License-Identifier: Apache-2.0
# The status board: each bay's phase, light and live progress.
cradle_test(test_status_board unit ${CMAKE_CURRENT_LIST_DIR}/test_status_board.cpp)
target_link_libraries(test_status_board PRIVATE cradle_engine)
