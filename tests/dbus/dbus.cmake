# SPDX-License-Identifier: Apache-2.0
# The D-Bus server against a private dbus-daemon (tests/support/private_bus.hpp).
cradle_test(test_dbus_private_bus dbus ${CMAKE_CURRENT_LIST_DIR}/test_dbus_private_bus.cpp)
target_link_libraries(test_dbus_private_bus PRIVATE PkgConfig::SYSTEMD)

# The service on a private bus and a client that records its signals, for the tests below.
# A stand-in service on a thread of its own (polkit's, a busy cradled's).
add_library(cradle_stand_in_service STATIC ${CMAKE_CURRENT_LIST_DIR}/stand_in_service.cpp)
target_link_libraries(cradle_stand_in_service PUBLIC PkgConfig::SYSTEMD)
target_include_directories(cradle_stand_in_service PUBLIC ${PROJECT_SOURCE_DIR})

add_library(cradle_dbus_harness STATIC ${CMAKE_CURRENT_LIST_DIR}/test_dbus_harness.cpp
  ${CMAKE_CURRENT_LIST_DIR}/polkit_stand_in.cpp)
target_link_libraries(cradle_dbus_harness PUBLIC cradle_dbus cradle_systemd cradle_test_rig
  cradle_test_support cradle_stand_in_service)

cradle_test(test_dbus_server dbus ${CMAKE_CURRENT_LIST_DIR}/test_dbus_server.cpp)
target_link_libraries(test_dbus_server PRIVATE cradle_dbus_harness)

cradle_test(test_dbus_authorization dbus ${CMAKE_CURRENT_LIST_DIR}/test_dbus_authorization.cpp)
target_link_libraries(test_dbus_authorization PRIVATE cradle_dbus_harness)
# The policy test reads dbus/org.cradled.Cradle1.conf from the source tree.
target_compile_definitions(test_dbus_authorization PRIVATE CRADLED_SOURCE_DIR="${PROJECT_SOURCE_DIR}")

cradle_test(test_dbus_report_facts dbus ${CMAKE_CURRENT_LIST_DIR}/test_dbus_report_facts.cpp)
target_link_libraries(test_dbus_report_facts PRIVATE cradle_dbus_harness)

# The contract check: the running server's introspection against dbus/org.cradled.Cradle1.xml,
# both read with expat.
cradle_test(test_dbus_contract dbus ${CMAKE_CURRENT_LIST_DIR}/test_dbus_contract.cpp)
target_link_libraries(test_dbus_contract PRIVATE cradle_dbus_harness
  PkgConfig::EXPAT)
target_compile_definitions(test_dbus_contract PRIVATE CRADLED_SOURCE_DIR="${PROJECT_SOURCE_DIR}")

cradle_test(test_refusal_record dbus ${CMAKE_CURRENT_LIST_DIR}/test_refusal_record.cpp)
target_link_libraries(test_refusal_record PRIVATE cradle_dbus)

cradle_test(test_listing_slots dbus ${CMAKE_CURRENT_LIST_DIR}/test_listing_slots.cpp)
target_link_libraries(test_listing_slots PRIVATE cradle_dbus)

cradle_test(test_caller_guard dbus ${CMAKE_CURRENT_LIST_DIR}/test_caller_guard.cpp)
target_link_libraries(test_caller_guard PRIVATE cradle_dbus)

cradle_test(test_dbus_slow_reader dbus ${CMAKE_CURRENT_LIST_DIR}/test_dbus_slow_reader.cpp)
target_link_libraries(test_dbus_slow_reader PRIVATE cradle_dbus_harness)
