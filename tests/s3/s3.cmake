# SPDX-License-Identifier: Apache-2.0
# Tests against a real Ceph object store (label s3). The fixture s3_store starts one mon, one
# OSD and one RADOS Gateway on 127.0.0.1 in the build tree before the first of them and stops
# it after the last (tests/s3/ceph-store); `ctest -L s3` runs them with it.
set(cradle_s3_store_dir ${CMAKE_BINARY_DIR}/s3-store)
add_test(NAME s3_store_start
  COMMAND ${CMAKE_CURRENT_LIST_DIR}/ceph-store start ${cradle_s3_store_dir})
set_tests_properties(s3_store_start PROPERTIES FIXTURES_SETUP s3_store LABELS s3 TIMEOUT 240)
add_test(NAME s3_store_stop
  COMMAND ${CMAKE_CURRENT_LIST_DIR}/ceph-store stop ${cradle_s3_store_dir})
set_tests_properties(s3_store_stop PROPERTIES FIXTURES_CLEANUP s3_store LABELS s3 TIMEOUT 120)

# cradle_s3_test(NAME [SERIAL] SOURCES...): a gtest executable whose cases need the store;
# SERIAL ones run alone (they stop the gateway).
function(cradle_s3_test name)
  cmake_parse_arguments(arg "SERIAL" "" "" ${ARGN})
  add_executable(${name} ${arg_UNPARSED_ARGUMENTS} ${CMAKE_CURRENT_FUNCTION_LIST_DIR}/s3_store.cpp)
  target_link_libraries(${name} PRIVATE cradle_remote cradle_test_support GTest::gtest_main)
  set(serial FALSE)
  if(arg_SERIAL)
    set(serial TRUE)
  endif()
  gtest_discover_tests(${name} DISCOVERY_MODE PRE_TEST
    PROPERTIES LABELS s3 FIXTURES_REQUIRED s3_store RUN_SERIAL ${serial}
    ENVIRONMENT "CRADLED_S3_STORE=${cradle_s3_store_dir}")
  # The script that starts and stops the store (SERIAL tests stop its gateway), and where the
  # programs are (for cradlectl).
  target_compile_definitions(${name} PRIVATE
    CRADLED_CEPH_STORE="${CMAKE_CURRENT_FUNCTION_LIST_DIR}/ceph-store"
    CRADLED_BUILT_PROGRAMS="${CMAKE_BINARY_DIR}/bin")
endfunction()

cradle_s3_test(s3_client_test ${CMAKE_CURRENT_LIST_DIR}/test_s3_client.cpp)
cradle_s3_test(s3_uploader_test ${CMAKE_CURRENT_LIST_DIR}/test_uploader.cpp)
cradle_s3_test(s3_replication_test ${CMAKE_CURRENT_LIST_DIR}/test_replication.cpp)
target_link_libraries(s3_replication_test PRIVATE cradle_engine)
cradle_s3_test(s3_central_archive_test ${CMAKE_CURRENT_LIST_DIR}/test_central_archive.cpp)
target_link_libraries(s3_central_archive_test PRIVATE cradle_test_rig)
cradle_s3_test(s3_store_down_test SERIAL ${CMAKE_CURRENT_LIST_DIR}/test_store_down.cpp)
target_link_libraries(s3_store_down_test PRIVATE cradle_test_rig)

# The cradle's clock an hour off (libfaketime): one clear error, and no wipe.
add_test(NAME CentralArchive.AClockAnHourOffIsRefusedSaidOnceAndWipesNothing
  COMMAND ${CMAKE_CURRENT_LIST_DIR}/clock_skew.sh ${CMAKE_BINARY_DIR}/bin ${cradle_s3_store_dir})
set_tests_properties(CentralArchive.AClockAnHourOffIsRefusedSaidOnceAndWipesNothing PROPERTIES
  LABELS s3 FIXTURES_REQUIRED s3_store TIMEOUT 120)
