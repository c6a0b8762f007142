// SPDX-License-Identifier: Apache-2.0
// The PDF of a report, read back with pdftotext: Chinese and English texts are there as text
// (a missing CJK font would leave them out or as boxes), pages are numbered "page N of M" in
// the reader's language, and a long table continues on further pages under its header.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "reports/pdf.hpp"
#include "reports/report_texts.hpp"
#include "reports/translation.hpp"
#include "tests/support/temp_dir.hpp"

namespace cradle::reports {
namespace {

// The pages' text, as pdftotext -layout sets it out (pages end with a form feed).
std::vector<std::string> pdf_pages(const std::string& pdf) {
    test::TempDir dir;
    std::filesystem::path pdf_file = dir.path() / "report.pdf";
    std::filesystem::path text_file = dir.path() / "report.txt";
    std::ofstream(pdf_file, std::ios::binary) << pdf;
    std::string command =
        "pdftotext -layout -enc UTF-8 '" + pdf_file.string() + "' '" + text_file.string() + "'";
    if (std::system(command.c_str()) != 0) {
        ADD_FAILURE() << "pdftotext (poppler-utils) failed or is not installed";
        return {};
    }
    std::ifstream in(text_file, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<std::string> pages;
    std::size_t start = 0;
    for (std::size_t end; (end = text.find('\f', start)) != std::string::npos; start = end + 1) {
        pages.push_back(text.substr(start, end - start));
    }
    return pages;
}

int count(const std::string& text, const std::string& part) {
    int found = 0;
    for (std::size_t at = text.find(part); at != std::string::npos;
         at = text.find(part, at + part.size())) {
        ++found;
    }
    return found;
}

constexpr std::int64_t noon_utc = 1'774'785'600;  // 2026-03-29 12:00:00 UTC

Report register_report(int devices) {
    Report report;
    report.key = "assignments";
    report.title = texts::device_assignments();
    report.subtitle = texts::cradle("cradle-01 东城分局");
    report.generated_at_utc = noon_utc;
    Section section;
    section.key = "devices";
    section.heading = texts::devices();
    section.table.columns = {{"serial", texts::serial()},
                             {"custodian", texts::custodian()},
                             {"officer", texts::officer()},
                             {"readiness", texts::readiness()}};
    for (int i = 0; i < devices; ++i) {
        std::string serial = "BWC-" + std::to_string(10000 + i);
        section.table.rows.push_back(
            {text(serial), text(i % 2 ? "陈静" : "Peter Miller"),
             text(i % 2 ? "张伟" : "Anna Schmidt"),
             text(i % 5 == 3 ? texts::not_ready() + ": " + texts::low_battery()
                             : texts::ready_for_duty())});
    }
    report.sections.push_back(section);
    Section unregistered;
    unregistered.key = "unregistered";
    unregistered.heading = texts::unregistered_devices_seen();
    unregistered.table.columns = {{"serial", texts::serial()}, {"status", texts::readiness()}};
    unregistered.table.rows = {{text("UNK-7781"), text(texts::needs_custodian())}};
    report.sections.push_back(unregistered);
    return report;
}

class ReportPdf : public ::testing::Test {
  protected:
    void SetUp() override {
        setenv("TZ", "Europe/Berlin", 1);
        unsetenv("LANGUAGE");
        unsetenv("LC_MESSAGES");
        unsetenv("LANG");
    }
    static void in_language(const char* language) {
        if (std::string(language) == "C") {
            setenv("LC_ALL", "C", 1);
            unsetenv("LANGUAGE");
        } else {
            unsetenv("LC_ALL");
            setenv("LANGUAGE", language, 1);
        }
        use_language_from_environment(CRADLED_BUILD_LOCALE_DIR);
    }
};

TEST_F(ReportPdf, IsAPdfFile) {
    in_language("C");
    std::string pdf = render_pdf(register_report(3));
    ASSERT_GT(pdf.size(), 1000u);
    EXPECT_EQ(pdf.substr(0, 5), "%PDF-");
}

TEST_F(ReportPdf, ChineseAndEnglishTextIsThereAsText) {
    in_language("zh_CN");
    std::vector<std::string> pages = pdf_pages(render_pdf(register_report(4)));
    ASSERT_EQ(pages.size(), 1u);
    const std::string& page = pages[0];
    for (const char* expected :
         {"设备分配", "充电座：cradle-01 东城分局", "生成于 2026-03-29 14:00:00 CEST", "设备",
          "序列号", "保管人", "使用民警", "陈静", "张伟", "Peter Miller", "Anna Schmidt",
          "可以执勤", "未就绪: 电量不足", "发现的未登记设备", "UNK-7781", "需保管人处理",
          "第 1 页，共 1 页"}) {
        EXPECT_NE(page.find(expected), std::string::npos) << expected << " missing in:\n" << page;
    }
}

TEST_F(ReportPdf, EnglishUnderTheCLocale) {
    in_language("C");
    std::vector<std::string> pages = pdf_pages(render_pdf(register_report(2)));
    ASSERT_EQ(pages.size(), 1u);
    for (const char* expected :
         {"Device assignments", "Serial", "Custodian", "ready for duty",
          "Unregistered devices seen", "needs custodian", "page 1 of 1", "陈静"}) {
        EXPECT_NE(pages[0].find(expected), std::string::npos) << expected;
    }
    EXPECT_EQ(pages[0].find("设备分配"), std::string::npos);
}

TEST_F(ReportPdf, LongTableSpansPagesWithItsHeaderRepeated) {
    in_language("C");
    const int devices = 150;
    std::vector<std::string> pages = pdf_pages(render_pdf(register_report(devices)));
    ASSERT_GE(pages.size(), 3u);
    int rows_seen = 0;
    for (std::size_t p = 0; p < pages.size(); ++p) {
        const std::string& page = pages[p];
        std::string numbering =
            "page " + std::to_string(p + 1) + " of " + std::to_string(pages.size());
        EXPECT_EQ(count(page, numbering), 1) << "page " << p + 1;
        int rows_here = count(page, "BWC-1");
        rows_seen += rows_here;
        if (rows_here > 0) {
            // Every page with rows of the table has its header row above them.
            std::size_t header = page.find("Serial");
            ASSERT_NE(header, std::string::npos) << "page " << p + 1 << " has no header";
            EXPECT_LT(header, page.find("BWC-1")) << "page " << p + 1;
            EXPECT_NE(page.find("Custodian"), std::string::npos);
        }
        if (p > 0 && rows_here > 0) {
            EXPECT_NE(page.find("Devices (continued)"), std::string::npos) << "page " << p + 1;
        }
    }
    EXPECT_EQ(rows_seen, devices);
    EXPECT_NE(pages.front().find("BWC-10000"), std::string::npos);
    EXPECT_NE(pages.back().find("BWC-10149"), std::string::npos);
}

TEST_F(ReportPdf, LongCellsWrapInsideTheirColumn) {
    in_language("C");
    Report report;
    report.title = "Wrapping";
    Section section;
    section.key = "s";
    section.heading = "Notes";
    section.table.columns = {{"serial", "Serial"}, {"note", "Note"}};
    std::string long_note;
    for (int i = 0; i < 60; ++i) {
        long_note += "word" + std::to_string(i) + " ";
    }
    section.table.rows = {{text("BWC-1"), text(long_note)}, {text("BWC-2"), text("short")}};
    report.sections = {section};
    std::vector<std::string> pages = pdf_pages(render_pdf(report));
    ASSERT_EQ(pages.size(), 1u);
    const std::string& page = pages[0];
    // All the words printed, on several lines, and the next row after the last of them.
    EXPECT_NE(page.find("word0"), std::string::npos);
    EXPECT_NE(page.find("word59"), std::string::npos);
    EXPECT_LT(page.find("word59"), page.find("BWC-2"));
    std::size_t first_line_end = page.find('\n', page.find("word0"));
    EXPECT_GT(page.find("word59"), first_line_end);
}

TEST_F(ReportPdf, EmptySectionSaysSo) {
    in_language("zh_CN");
    Report report;
    report.title = texts::dock_report();
    Section section;
    section.key = "offloads";
    section.heading = texts::offloads();
    section.table.columns = {{"serial", texts::serial()}};
    report.sections = {section};
    std::vector<std::string> pages = pdf_pages(render_pdf(report));
    ASSERT_EQ(pages.size(), 1u);
    EXPECT_NE(pages[0].find("无记录。"), std::string::npos) << pages[0];
}

}  // namespace
}  // namespace cradle::reports
