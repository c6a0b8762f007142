# SPDX-License-Identifier: Apache-2.0
# The file-system seam, its fault-injecting double, and the archive store.
cradle_test(fs_test unit ${CMAKE_CURRENT_LIST_DIR}/test_fs.cpp)
cradle_test(archive_store_test unit ${CMAKE_CURRENT_LIST_DIR}/test_archive_store.cpp)
cradle_test(test_archive_path unit ${CMAKE_CURRENT_LIST_DIR}/test_archive_path.cpp)
