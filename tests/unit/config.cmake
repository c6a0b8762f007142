# The configuration loader. Its tests link a library of daemon/config.cpp alone, so that they
# build and run whatever state the rest of the core is in.
add_library(cradle_config_under_test STATIC ${PROJECT_SOURCE_DIR}/daemon/config.cpp)
target_include_directories(cradle_config_under_test PUBLIC ${PROJECT_SOURCE_DIR})
target_link_libraries(cradle_config_under_test PRIVATE PkgConfig::TOMLPP)

add_executable(test_config ${CMAKE_CURRENT_LIST_DIR}/test_config.cpp)
target_link_libraries(test_config PRIVATE cradle_config_under_test GTest::gtest_main)
# The tests load the shipped files of etc/ from the source tree.
target_compile_definitions(test_config PRIVATE CRADLED_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
gtest_discover_tests(test_config DISCOVERY_MODE PRE_TEST PROPERTIES LABELS unit)
