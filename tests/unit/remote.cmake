# SPDX-License-Identifier: Apache-2.0
# The central archive's client, without a store: object keys and the XML answers.
cradle_test(remote_codec_test unit ${CMAKE_CURRENT_LIST_DIR}/test_remote_codec.cpp)
target_link_libraries(remote_codec_test PRIVATE cradle_remote)
# The replication's policy: back-off, window, and what each failure says.
cradle_test(test_replication_policy unit ${CMAKE_CURRENT_LIST_DIR}/test_replication_policy.cpp)
target_link_libraries(test_replication_policy PRIVATE cradle_engine)
