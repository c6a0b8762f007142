# The D-Bus server against a private dbus-daemon (tests/support/private_bus.hpp).
cradle_test(test_dbus_private_bus dbus ${CMAKE_CURRENT_LIST_DIR}/test_dbus_private_bus.cpp)
target_link_libraries(test_dbus_private_bus PRIVATE PkgConfig::SYSTEMD)
