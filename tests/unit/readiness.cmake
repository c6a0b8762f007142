# SPDX-License-Identifier: Apache-2.0
# The readiness policy: the verdict of a dock and its reasons, straight from the dock's report.
cradle_test(test_readiness unit ${CMAKE_CURRENT_LIST_DIR}/test_readiness.cpp)
target_link_libraries(test_readiness PRIVATE cradle_engine)
