# SPDX-License-Identifier: Apache-2.0
# Reports: the model's renderers read back (CSV, JSON, the PDF's text), the translations, and
# local times across midnight and daylight saving changes; and the two reports built from facts.
foreach(report_test csv json pdf translation local_time utf8 builders)
  cradle_test(test_report_${report_test} unit
    ${CMAKE_CURRENT_LIST_DIR}/test_report_${report_test}.cpp)
  target_link_libraries(test_report_${report_test} PRIVATE cradle_reports)
  target_compile_definitions(test_report_${report_test} PRIVATE
    CRADLED_BUILD_LOCALE_DIR="${CRADLED_BUILD_LOCALE_DIR}")
endforeach()
