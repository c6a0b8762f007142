# USB cameras and bay hardware: port paths, device-table matching, the PTP transport's mapping
# of libusb results, bay lights and port power against a fake sysfs tree. They link the hw
# layer alone (no daemon), and need no USB device and no root.
foreach(usb_test test_usb_port_path test_usb_matching test_usb_transport test_bay_lights
        test_bay_port_power)
  add_executable(${usb_test}
    ${CMAKE_CURRENT_LIST_DIR}/${usb_test}.cpp
    ${PROJECT_SOURCE_DIR}/tests/support/temp_dir.cpp
  )
  target_include_directories(${usb_test} PRIVATE ${PROJECT_SOURCE_DIR})
  target_link_libraries(${usb_test} PRIVATE cradle_hw_usb GTest::gtest_main)
  gtest_discover_tests(${usb_test} DISCOVERY_MODE PRE_TEST PROPERTIES LABELS unit)
endforeach()
