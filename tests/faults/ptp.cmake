# The service with its cameras driven through the PTP driver (the emulated cradle over PTP).
cradle_rig_test(test_ptp_offload faults ${CMAKE_CURRENT_LIST_DIR}/test_ptp_offload.cpp)
