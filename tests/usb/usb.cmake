# SPDX-License-Identifier: Apache-2.0
# Integration tests on emulated USB devices (umockdev). They run under umockdev-wrapper, which
# preloads umockdev so that libusb finds the emulated bus. Where umockdev is not installed they
# report themselves skipped; scripts/install-deps installs it, so CI runs them.
find_program(UMOCKDEV_WRAPPER umockdev-wrapper)
if(TARGET cradle_umockdev AND UMOCKDEV_WRAPPER)
  pkg_check_modules(USB_TEST_LIBUSB REQUIRED IMPORTED_TARGET libusb-1.0)
  # The sanitizer build: ASan must tolerate umockdev's library coming first, and the test bed's
  # worker thread lives until exit, which LeakSanitizer would report.
  set(usb_test_emulator /usr/bin/env ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=0
      ${UMOCKDEV_WRAPPER})

  # cradle_usb_test(NAME SOURCES...): like cradle_test, run under umockdev-wrapper, label usb.
  function(cradle_usb_test name)
    add_executable(${name} ${ARGN})
    target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
    target_link_libraries(${name} PRIVATE cradle_umockdev cradle_test_support
      PkgConfig::USB_TEST_LIBUSB GTest::gtest_main)
    set_target_properties(${name} PROPERTIES CROSSCOMPILING_EMULATOR "${usb_test_emulator}")
    gtest_discover_tests(${name} DISCOVERY_MODE PRE_TEST
      PROPERTIES LABELS usb ENVIRONMENT "CRADLED_BIN_DIR=${CMAKE_BINARY_DIR}/bin" TIMEOUT 60)
  endfunction()

  cradle_usb_test(test_usbfs_emulation ${CMAKE_CURRENT_LIST_DIR}/test_usbfs_emulation.cpp)

  cradle_usb_test(test_port_power ${CMAKE_CURRENT_LIST_DIR}/test_port_power.cpp)
  target_link_libraries(test_port_power PRIVATE cradle_hw_usb PkgConfig::USB_TEST_LIBUSB)

  # The production USB cradle and PTP driver, offloading through the service core.
  add_library(cradle_usb_rig STATIC ${CMAKE_CURRENT_LIST_DIR}/usb_rig.cpp)
  target_link_libraries(cradle_usb_rig PUBLIC cradle_umockdev cradle_hw_usb cradle_engine
    cradle_test_support)
  cradle_usb_test(test_usb_offload ${CMAKE_CURRENT_LIST_DIR}/test_usb_offload.cpp)
  target_link_libraries(test_usb_offload PRIVATE cradle_usb_rig cradle_test_rig)
  cradle_usb_test(test_usb_power_cycle ${CMAKE_CURRENT_LIST_DIR}/test_usb_power_cycle.cpp)
  target_link_libraries(test_usb_power_cycle PRIVATE cradle_usb_rig cradle_test_rig)
  cradle_usb_test(test_usb_bay_lights ${CMAKE_CURRENT_LIST_DIR}/test_usb_bay_lights.cpp)
  target_link_libraries(test_usb_bay_lights PRIVATE cradle_usb_rig cradle_test_rig)

  # cradle-emulate serving a separate, unmodified libusb program (as a third-party tool).
  add_executable(usb_probe ${CMAKE_CURRENT_LIST_DIR}/usb_probe.cpp)
  target_include_directories(usb_probe PRIVATE ${PROJECT_SOURCE_DIR})
  target_link_libraries(usb_probe PRIVATE cradle_hw_ptp PkgConfig::USB_TEST_LIBUSB)
  add_test(NAME CradleEmulate.SeparateLibusbProgramTalksToTheCameras
    COMMAND $<TARGET_FILE:cradle-emulate> --cameras 3 --recordings 2 --megabytes 1
            -- $<TARGET_FILE:usb_probe> 3)
  set_tests_properties(CradleEmulate.SeparateLibusbProgramTalksToTheCameras PROPERTIES
    LABELS usb TIMEOUT 60 ENVIRONMENT "ASAN_OPTIONS=detect_leaks=0")
  add_test(NAME CradleEmulate.ExitsWithTheStatusOfTheCommand
    COMMAND sh -c "\"$0\" --cameras 1 --recordings 1 --megabytes 1 -- sh -c 'exit 7'; test $? -eq 7"
            $<TARGET_FILE:cradle-emulate>)
  set_tests_properties(CradleEmulate.ExitsWithTheStatusOfTheCommand PROPERTIES
    LABELS usb TIMEOUT 60 ENVIRONMENT "ASAN_OPTIONS=detect_leaks=0")
else()
  add_test(NAME usb_integration_tests
    COMMAND sh -c "echo 'SKIPPED: umockdev is not installed (scripts/install-deps installs it)'; exit 77")
  set_tests_properties(usb_integration_tests PROPERTIES LABELS usb SKIP_RETURN_CODE 77)
endif()
