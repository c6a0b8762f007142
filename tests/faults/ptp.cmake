# The service with its cameras driven through the PTP driver (the emulated cradle over PTP).
cradle_rig_test(test_ptp_offload faults ${CMAKE_CURRENT_LIST_DIR}/test_ptp_offload.cpp)
# A recording of 4 GiB + 1 MiB whose size the camera cannot tell, streamed through the PTP codec
# into the archive (writes 4 GiB to the temporary directory).
cradle_rig_test(test_ptp_large_recording faults ${CMAKE_CURRENT_LIST_DIR}/test_ptp_large_recording.cpp)
