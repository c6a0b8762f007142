// Bytes that are not UTF-8 (a device's serial, a damaged file) reach a report as U+FFFD, so
// the JSON stays valid and the PDF prints the rest of the text.
#include <gtest/gtest.h>

#include <string>

#include "common/utf8.hpp"
#include "reports/csv.hpp"
#include "reports/json.hpp"
#include "reports/pdf.hpp"

namespace cradle::reports {
namespace {

const std::string replacement = "\xEF\xBF\xBD";

TEST(ReportUtf8, ValidTextIsUnchanged) {
    for (const std::string text : {"", "BWC-0001", "张伟", "Grüße", "\xF0\x9F\x93\xB7 camera"}) {
        EXPECT_EQ(valid_utf8(text), text);
    }
}

TEST(ReportUtf8, EachInvalidByteBecomesAReplacementCharacter) {
    EXPECT_EQ(valid_utf8("A\xFF"
                         "B"),
              "A" + replacement + "B");
    EXPECT_EQ(valid_utf8("\xE5\xBC"), replacement + replacement);                    // cut short
    EXPECT_EQ(valid_utf8("\xC0\xAF"), replacement + replacement);                    // overlong "/"
    EXPECT_EQ(valid_utf8("\xED\xA0\x80"), replacement + replacement + replacement);  // surrogate
    EXPECT_EQ(valid_utf8("\xF4\x90\x80\x80").size(), 4 * replacement.size());        // > U+10FFFF
}

TEST(ReportUtf8, RenderersReplaceInvalidBytes) {
    EXPECT_EQ(json_string("BWC\xFF"), "\"BWC" + replacement + "\"");
    EXPECT_EQ(csv_field("BWC\xFF"), "BWC" + replacement);

    Report report;
    report.title = "BWC\xFF\xFE";
    Section section;
    section.key = "s";
    section.heading = "\xE5\xBC";
    section.table.columns = {{"serial", "Serial\x80"}};
    section.table.rows = {{text("\xC0\xAF")}};
    report.sections = {section};
    EXPECT_EQ(render_pdf(report).substr(0, 5), "%PDF-");
}

}  // namespace
}  // namespace cradle::reports
