# SPDX-License-Identifier: Apache-2.0
# The catalog, the state verifier and cradlectl's offline mode.
cradle_test(catalog_test unit ${CMAKE_CURRENT_LIST_DIR}/test_catalog.cpp)
cradle_test(state_verifier_test unit ${CMAKE_CURRENT_LIST_DIR}/test_state_verifier.cpp)
cradle_test(cradlectl_test unit ${CMAKE_CURRENT_LIST_DIR}/test_cradlectl.cpp)
# These tests run the built binary.
add_dependencies(cradlectl_test cradlectl)
cradle_test(report_input_test unit ${CMAKE_CURRENT_LIST_DIR}/test_report_input.cpp)
# The central archive's backlog in the catalog.
cradle_test(catalog_replication_test unit ${CMAKE_CURRENT_LIST_DIR}/test_catalog_replication.cpp)
cradle_test(audit_signatures_test unit ${CMAKE_CURRENT_LIST_DIR}/test_audit_signatures.cpp)
