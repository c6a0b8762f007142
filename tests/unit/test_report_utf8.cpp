// SPDX-License-Identifier: Apache-2.0
// Bytes that are not UTF-8 (a device's serial, a damaged file) reach a report as U+FFFD, so
// the JSON stays valid and the PDF prints the rest of the text.
#include <gtest/gtest.h>

#include <string>

#include "common/utf8.hpp"
#include "reports/csv.hpp"
#include "reports/json.hpp"
#include "reports/pdf.hpp"
#include "tests/support/pdf_text.hpp"

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
}

// The PDF's text, as a reader's tool extracts it, holds the Chinese as given and a replacement
// character for each invalid byte, with the text around it intact.
TEST(ReportUtf8, PdfShowsChineseAndAReplacementForEachInvalidByte) {
    Report report;
    report.title = "BWC\xFF\xFE";
    Section section;
    section.key = "s";
    section.heading = "设备\xE5\xBC";
    section.table.columns = {{"serial", "Serial\x80"}, {"officer", "警员"}};
    section.table.rows = {{text("\xC0\xAF"), text("张伟")}};
    report.sections = {section};
    const std::string pdf = render_pdf(report);
    EXPECT_EQ(pdf.substr(0, 5), "%PDF-");
    if (!test::pdftotext_installed()) {
        GTEST_SKIP() << "pdftotext (poppler-utils) is not installed: scripts/install-deps";
    }
    const std::string page = test::pdf_text(pdf);
    EXPECT_NE(page.find("BWC" + replacement + replacement), std::string::npos) << page;
    EXPECT_NE(page.find("设备" + replacement + replacement), std::string::npos) << page;
    EXPECT_NE(page.find("Serial" + replacement), std::string::npos) << page;
    EXPECT_NE(page.find("警员"), std::string::npos) << page;
    EXPECT_NE(page.find(replacement + replacement + "张伟"), std::string::npos) << page;
}

}  // namespace
}  // namespace cradle::reports
