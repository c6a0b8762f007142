// SPDX-License-Identifier: Apache-2.0
// The CSV of a report, parsed back as RFC 4180 says, gives the model's texts: commas, quotes,
// line breaks and Chinese survive, each section is its own block, times are local ISO 8601.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "reports/csv.hpp"
#include "reports/translation.hpp"

namespace cradle::reports {
namespace {

using Record = std::vector<std::string>;

// An RFC 4180 reader, written from the RFC for the test: quoted fields may hold commas,
// doubled quotes and line breaks; records end with CRLF.
std::vector<Record> parse_csv(const std::string& text) {
    std::vector<Record> records;
    Record record;
    std::string field;
    bool quoted = false;
    std::size_t i = 0;
    while (i < text.size()) {
        char c = text[i];
        if (quoted) {
            if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
                field += '"';
                i += 2;
                continue;
            }
            if (c == '"') {
                quoted = false;
            } else {
                field += c;
            }
            ++i;
            continue;
        }
        if (c == '"') {
            EXPECT_TRUE(field.empty()) << "a quote inside an unquoted field at " << i;
            quoted = true;
        } else if (c == ',') {
            record.push_back(field);
            field.clear();
        } else if (c == '\r') {
            EXPECT_TRUE(i + 1 < text.size() && text[i + 1] == '\n') << "CR without LF at " << i;
            record.push_back(field);
            field.clear();
            records.push_back(record);
            record.clear();
            ++i;
        } else {
            EXPECT_NE(c, '\n') << "a bare LF ends no record at " << i;
            field += c;
        }
        ++i;
    }
    EXPECT_FALSE(quoted) << "unterminated quoted field";
    EXPECT_TRUE(field.empty() && record.empty()) << "the last record has no CRLF";
    return records;
}

constexpr std::int64_t noon_utc = 1'774'785'600;  // 2026-03-29 12:00:00 UTC

Report sample() {
    Report report;
    report.key = "assignments";
    report.title = "Device assignments";
    report.subtitle = "March, cradle \"east\", 东城";
    report.generated_at_utc = noon_utc;
    Section devices;
    devices.key = "devices";
    devices.heading = "Devices";
    devices.table.columns = {{"serial", "Serial"},
                             {"officer", "Officer, assigned"},
                             {"docked", "Docked"},
                             {"battery", "Battery"},
                             {"wiped", "Wiped"}};
    devices.table.rows = {
        {text("BWC-0001"), text("张伟"), time_utc(noon_utc), number(87.5, 1), flag(true)},
        {text("BWC-0002"), text("O'Brien, Tom \"TJ\""), time_utc(noon_utc - 86'400), number(12),
         flag(false)},
        {text("BWC-0003"), text("line one\nline two\r\nline three"), empty(), number(100),
         flag(false)},
    };
    Section unregistered;
    unregistered.key = "unregistered";
    unregistered.heading = "Unregistered devices seen";
    unregistered.table.columns = {{"serial", "Serial"}, {"status", "Status"}};
    unregistered.table.rows = {{text("UNK-1"), text("needs custodian")}};
    report.sections = {devices, unregistered};
    return report;
}

class ReportCsv : public ::testing::Test {
  protected:
    void SetUp() override {
        setenv("TZ", "Europe/Berlin", 1);
        setenv("LC_ALL", "C", 1);
        use_language_from_environment(CRADLED_BUILD_LOCALE_DIR);
    }
};

TEST_F(ReportCsv, StartsWithAByteOrderMarkForSpreadsheets) {
    std::string csv = render_csv(sample());
    ASSERT_GE(csv.size(), 3u);
    EXPECT_EQ(csv.substr(0, 3), "\xEF\xBB\xBF");
}

TEST_F(ReportCsv, ParsesBackIntoTheModelsBlocks) {
    std::vector<Record> records = parse_csv(render_csv(sample()).substr(3));
    std::vector<Record> expected = {
        {"section", "title", "subtitle", "generated_at"},
        {"assignments", "Device assignments", "March, cradle \"east\", 东城",
         "2026-03-29T14:00:00+02:00"},
        {""},
        {"section", "Serial", "Officer, assigned", "Docked", "Battery", "Wiped"},
        {"devices", "BWC-0001", "张伟", "2026-03-29T14:00:00+02:00", "87.5", "yes"},
        {"devices", "BWC-0002", "O'Brien, Tom \"TJ\"", "2026-03-28T13:00:00+01:00", "12", "no"},
        {"devices", "BWC-0003", "line one\nline two\r\nline three", "", "100", "no"},
        {""},
        {"section", "Serial", "Status"},
        {"unregistered", "UNK-1", "needs custodian"},
    };
    EXPECT_EQ(records, expected);
}

TEST_F(ReportCsv, FieldsAreQuotedOnlyWhenTheyMustBe) {
    EXPECT_EQ(csv_field("BWC-0001"), "BWC-0001");
    EXPECT_EQ(csv_field("张伟"), "张伟");
    EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
    EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
    EXPECT_EQ(csv_field("two\nlines"), "\"two\nlines\"");
    EXPECT_EQ(csv_field(""), "");
}

TEST_F(ReportCsv, TextASpreadsheetWouldTakeForAFormulaStaysText) {
    Report report = sample();
    report.sections.front().table.rows = {
        {text("=HYPERLINK(\"http://x\",\"y\")"), text("+1"), time_utc(noon_utc), number(-3),
         flag(false)},
        {text("@SUM(A1)"), text("-545 ms"), empty(), number(1), flag(true)}};
    std::vector<Record> records = parse_csv(render_csv(report).substr(3));
    ASSERT_GE(records.size(), 6u);
    EXPECT_EQ(records[4], (Record{"devices", "'=HYPERLINK(\"http://x\",\"y\")", "'+1",
                                  "2026-03-29T14:00:00+02:00", "-3", "no"}))
        << "numbers stay numbers";
    EXPECT_EQ(records[5], (Record{"devices", "'@SUM(A1)", "'-545 ms", "", "1", "yes"}));
}

TEST_F(ReportCsv, ReportWithNoSectionsIsItsHeaderBlockOnly) {
    Report report;
    report.key = "dock";
    report.generated_at_utc = noon_utc;
    std::vector<Record> records = parse_csv(render_csv(report).substr(3));
    ASSERT_EQ(records.size(), 2u);
    EXPECT_EQ(records[1][0], "dock");
}

}  // namespace
}  // namespace cradle::reports
