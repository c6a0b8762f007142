# SPDX-License-Identifier: Apache-2.0
# USB cameras and bay hardware: port paths, device-table matching, the PTP transport's mapping
# of libusb results, bay lights and port power against a fake sysfs tree. They link the hw
# layer alone (no daemon), and need no USB device and no root.
foreach(usb_test test_usb_port_path test_usb_matching test_usb_transport test_usb_cradle
        test_bay_lights test_bay_port_power)
  add_executable(${usb_test}
    ${CMAKE_CURRENT_LIST_DIR}/${usb_test}.cpp
    ${PROJECT_SOURCE_DIR}/tests/support/temp_dir.cpp
  )
  target_include_directories(${usb_test} PRIVATE ${PROJECT_SOURCE_DIR})
  target_link_libraries(${usb_test} PRIVATE cradle_hw_usb GTest::gtest_main)
  gtest_discover_tests(${usb_test} DISCOVERY_MODE PRE_TEST PROPERTIES LABELS unit)
endforeach()

# Bay learning (cradlectl bays learn) against a scripted environment; what it writes must load
# through the configuration loader.
add_executable(test_bay_learning
  ${CMAKE_CURRENT_LIST_DIR}/test_bay_learning.cpp
  ${PROJECT_SOURCE_DIR}/cradlectl/bay_learning.cpp
)
target_include_directories(test_bay_learning PRIVATE ${PROJECT_SOURCE_DIR})
target_link_libraries(test_bay_learning PRIVATE cradle_config cradle_hw
  GTest::gtest_main)
gtest_discover_tests(test_bay_learning DISCOVERY_MODE PRE_TEST PROPERTIES LABELS unit)
