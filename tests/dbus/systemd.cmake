# SPDX-License-Identifier: Apache-2.0
# systemd: the notify protocol with the real daemon, the unit's hardening, sysusers and tmpfiles
# (label dbus: they run the service as systemd would); the journal fields and the udev rules
# generator (label unit).
cradle_test(test_systemd_notify dbus ${CMAKE_CURRENT_LIST_DIR}/test_systemd_notify.cpp)
target_link_libraries(test_systemd_notify PRIVATE cradle_systemd cradle_test_rig)
add_dependencies(test_systemd_notify cradled-demo)

cradle_test(test_systemd_unit dbus ${CMAKE_CURRENT_LIST_DIR}/test_systemd_unit.cpp)
target_compile_definitions(test_systemd_unit PRIVATE CRADLED_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
add_dependencies(test_systemd_unit cradled cradlectl)

cradle_test(test_systemd_journal_fields unit
  ${CMAKE_CURRENT_LIST_DIR}/test_systemd_journal_fields.cpp)

cradle_test(test_systemd_udev_rules unit ${CMAKE_CURRENT_LIST_DIR}/test_systemd_udev_rules.cpp)
target_compile_definitions(test_systemd_udev_rules PRIVATE
  CRADLED_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
target_link_libraries(test_systemd_journal_fields PRIVATE cradle_systemd)
target_link_libraries(test_systemd_udev_rules PRIVATE cradle_systemd)
