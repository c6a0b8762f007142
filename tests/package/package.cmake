# SPDX-License-Identifier: Apache-2.0
# The package check (label `package`): builds the .deb, runs lintian, installs it into a clean
# Debian 12 root and checks the installed service (tests/package/package_check.sh says what).
# It needs root and the Debian mirror. Not in the sanitizer build: the package is built with
# its own flags, so a second run would check the same thing again.
if(NOT CRADLED_SANITIZE)
  add_test(NAME package_build_install_purge
    COMMAND ${CMAKE_CURRENT_LIST_DIR}/package_check.sh ${PROJECT_SOURCE_DIR}
            ${CMAKE_BINARY_DIR}/package-check)
  # Serial: it builds with both cores. The timeout covers a first run with a cold compiler
  # cache and no cached Debian root; a warm run takes a few minutes.
  set_tests_properties(package_build_install_purge PROPERTIES
    LABELS package RUN_SERIAL TRUE TIMEOUT 1500)
endif()
