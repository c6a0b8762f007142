# cradlectl over D-Bus: the built cradlectl and cradled binaries on a private bus.
cradle_test(test_cradlectl_bus dbus ${CMAKE_CURRENT_LIST_DIR}/test_cradlectl_bus.cpp)
# These tests run the built binaries.
add_dependencies(test_cradlectl_bus cradlectl cradled)

# cradlectl's bay lines and command line, without a bus.
cradle_test(test_cradlectl_lines unit
  ${CMAKE_CURRENT_LIST_DIR}/test_cradlectl_lines.cpp
  ${PROJECT_SOURCE_DIR}/cradlectl/arguments.cpp
  ${PROJECT_SOURCE_DIR}/cradlectl/bay_line.cpp
  ${PROJECT_SOURCE_DIR}/cradlectl/text_output.cpp)

# The register as CSV: parsing, checking and writing, without a bus.
cradle_test(test_cradlectl_csv unit
  ${PROJECT_SOURCE_DIR}/tests/unit/test_cradlectl_csv.cpp
  ${PROJECT_SOURCE_DIR}/cradlectl/register_csv.cpp
  ${PROJECT_SOURCE_DIR}/cradlectl/text_output.cpp)
