# SPDX-License-Identifier: Apache-2.0
# The service with its cameras driven through the PTP driver (the emulated cradle over PTP).
cradle_rig_test(test_ptp_offload faults ${CMAKE_CURRENT_LIST_DIR}/test_ptp_offload.cpp)
# A recording of 4 GiB + 1 MiB whose size the camera cannot tell, streamed through the PTP codec
# into the archive: needs 6 GiB free in the temporary directory (the bound the camera's storage
# sets), writes 4 GiB there and takes about half a minute in the default build. Labelled `large` too, so that a slow (sanitizer) run can leave it out with
# `-LE large`.
add_executable(test_ptp_large_recording ${CMAKE_CURRENT_LIST_DIR}/test_ptp_large_recording.cpp)
target_link_libraries(test_ptp_large_recording PRIVATE cradle_test_rig GTest::gtest_main)
add_test(NAME LargeRecordingOverPtp COMMAND test_ptp_large_recording)
set_tests_properties(LargeRecordingOverPtp PROPERTIES LABELS "faults;large" TIMEOUT 900)
