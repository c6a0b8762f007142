# SPDX-License-Identifier: Apache-2.0
add_library(cradle_test_rig STATIC ${CMAKE_CURRENT_LIST_DIR}/rig.cpp
  ${CMAKE_CURRENT_LIST_DIR}/child_run.cpp)
target_link_libraries(cradle_test_rig PUBLIC cradle_engine cradle_sim cradle_test_support)
cradle_unity_build(cradle_test_rig)

function(cradle_rig_test name label)
  cradle_test(${name} ${label} ${ARGN})
  target_link_libraries(${name} PRIVATE cradle_test_rig)
endfunction()

cradle_rig_test(test_service unit ${CMAKE_CURRENT_LIST_DIR}/test_service.cpp)
cradle_rig_test(test_unplug faults ${CMAKE_CURRENT_LIST_DIR}/test_unplug.cpp)
cradle_rig_test(test_remote_wait faults ${CMAKE_CURRENT_LIST_DIR}/test_remote_wait.cpp)
cradle_rig_test(test_storage_faults faults ${CMAKE_CURRENT_LIST_DIR}/test_storage_faults.cpp)
cradle_rig_test(test_device_faults faults ${CMAKE_CURRENT_LIST_DIR}/test_device_faults.cpp)
cradle_rig_test(test_sigkill faults ${CMAKE_CURRENT_LIST_DIR}/test_sigkill.cpp)
cradle_rig_test(test_sigterm faults ${CMAKE_CURRENT_LIST_DIR}/test_sigterm.cpp)
add_dependencies(test_sigterm cradled-demo)
# A camera that charges in its bay: the time it needs, and the battery rechecks until it is ready.
cradle_rig_test(test_charging faults ${CMAKE_CURRENT_LIST_DIR}/test_charging.cpp)
# I1: a wipe needs proof from this camera in this dock, and a delete is checked.
cradle_rig_test(test_wipe_proof faults ${CMAKE_CURRENT_LIST_DIR}/test_wipe_proof.cpp)
# I6: the record beside every archived file, the journal, the catalog behind the archive,
# rebuild-catalog, and recovery that quarantines instead of deleting.
cradle_rig_test(test_archive_record faults ${CMAKE_CURRENT_LIST_DIR}/test_archive_record.cpp)
