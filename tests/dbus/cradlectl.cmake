# SPDX-License-Identifier: Apache-2.0
# cradlectl over D-Bus: the built cradlectl and cradled binaries on a private bus.
cradle_test(test_cradlectl_bus dbus ${CMAKE_CURRENT_LIST_DIR}/test_cradlectl_bus.cpp)
# These tests run the built binaries.
add_dependencies(test_cradlectl_bus cradlectl cradled-demo)

# cradlectl report and the officers' roster: the built binaries on a private bus and offline;
# the reports are read back (CSV, JSON, and the PDF's text through pdftotext) and compared with
# the catalog.
cradle_test(test_cradlectl_report_bus dbus ${CMAKE_CURRENT_LIST_DIR}/test_cradlectl_report_bus.cpp)
target_link_libraries(test_cradlectl_report_bus PRIVATE cradlectl_text)
add_dependencies(test_cradlectl_report_bus cradlectl cradled-demo)
target_compile_definitions(test_cradlectl_report_bus PRIVATE
  CRADLED_BUILD_LOCALE_DIR="${CRADLED_BUILD_LOCALE_DIR}")

# cradlectl's bay lines and command line, without a bus.
cradle_test(test_cradlectl_lines unit
  ${CMAKE_CURRENT_LIST_DIR}/test_cradlectl_lines.cpp)
target_link_libraries(test_cradlectl_lines PRIVATE cradlectl_text)

# The register and the roster as CSV: parsing, checking and writing, without a bus.
cradle_test(test_cradlectl_csv unit
  ${PROJECT_SOURCE_DIR}/tests/unit/test_cradlectl_csv.cpp)
target_link_libraries(test_cradlectl_csv PRIVATE cradlectl_text)

# cradlectl report's command line (period in local days, format, output) and the officers'
# CSV, without a bus.
cradle_test(test_cradlectl_report unit
  ${PROJECT_SOURCE_DIR}/tests/unit/test_cradlectl_report.cpp)
target_link_libraries(test_cradlectl_report PRIVATE cradlectl_text)

# cradlectl's -o FILE (reports and exports): regular files replaced whole with their mode and
# owner, devices, FIFOs and links written in place; the built binary offline.
cradle_test(test_cradlectl_output unit ${PROJECT_SOURCE_DIR}/tests/unit/test_cradlectl_output.cpp)
add_dependencies(test_cradlectl_output cradlectl)

# cradlectl against a busy service: the built binary and a stand-in service on a private bus.
cradle_test(test_cradlectl_retry dbus ${CMAKE_CURRENT_LIST_DIR}/test_cradlectl_retry.cpp)
target_link_libraries(test_cradlectl_retry PRIVATE cradle_stand_in_service)
add_dependencies(test_cradlectl_retry cradlectl)
