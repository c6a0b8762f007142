// SPDX-License-Identifier: Apache-2.0
// The JSON of a report, parsed back, gives the model: stable keys, rows keyed by column,
// numbers and flags as JSON values, times as UTC ISO 8601 plus the local rendering, and text
// with quotes, backslashes, control characters and Chinese intact.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>

#include "reports/json.hpp"
#include "reports/translation.hpp"
#include "tests/support/json.hpp"

namespace cradle::reports {
namespace {

using test::elements;
using test::Json;
using test::parse_json;

constexpr std::int64_t noon_utc = 1'774'785'600;  // 2026-03-29 12:00:00 UTC

class ReportJson : public ::testing::Test {
  protected:
    void SetUp() override {
        setenv("TZ", "Europe/Berlin", 1);
        setenv("LC_ALL", "C", 1);
        use_language_from_environment(CRADLED_BUILD_LOCALE_DIR);
    }
};

TEST_F(ReportJson, ParsesBackIntoTheModel) {
    Report report;
    report.key = "assignments";
    report.title = "设备分配";
    report.subtitle = "cradle \"east\"\\west";
    report.generated_at_utc = noon_utc;
    Section devices;
    devices.key = "devices";
    devices.heading = "设备";
    devices.note = "note\twith\ttabs\nand a bell \a";
    devices.table.columns = {{"serial", "序列号"},
                             {"officer", "Officer"},
                             {"docked", "Docked"},
                             {"battery", "%"},
                             {"wiped", "Wiped"}};
    devices.table.rows = {
        {text("BWC-0001"), text("张伟, \"交警\""), time_utc(noon_utc), number(87.5, 1), flag(true)},
        {text("BWC-0002"), text("line\r\nbreak"), empty(), number(-3), flag(false)},
    };
    Section empty_section;
    empty_section.key = "changes";
    empty_section.heading = "Changes";
    report.sections = {devices, empty_section};

    Json json = parse_json(render_json(report));
    EXPECT_EQ(json.at("report"), "assignments");
    EXPECT_EQ(json.at("title"), "设备分配");
    EXPECT_EQ(json.at("subtitle"), "cradle \"east\"\\west");
    EXPECT_EQ(json.at("generated_at").at("utc"), "2026-03-29T12:00:00Z");
    EXPECT_EQ(json.at("generated_at").at("local"), "2026-03-29 14:00:00 CEST");
    ASSERT_EQ(elements(json.at("sections")).size(), 2u);

    const Json& first = json.at("sections").at(0);
    EXPECT_EQ(first.at("section"), "devices");
    EXPECT_EQ(first.at("heading"), "设备");
    EXPECT_EQ(first.at("note"), "note\twith\ttabs\nand a bell \a");
    ASSERT_EQ(elements(first.at("columns")).size(), 5u);
    EXPECT_EQ(first.at("columns").at(0).at("key"), "serial");
    EXPECT_EQ(first.at("columns").at(0).at("heading"), "序列号");
    ASSERT_EQ(elements(first.at("rows")).size(), 2u);
    const Json& row = first.at("rows").at(0);
    EXPECT_EQ(row.at("serial"), "BWC-0001");
    EXPECT_EQ(row.at("officer"), "张伟, \"交警\"");
    EXPECT_EQ(row.at("docked").at("utc"), "2026-03-29T12:00:00Z");
    EXPECT_EQ(row.at("docked").at("local"), "2026-03-29 14:00:00 CEST");
    EXPECT_DOUBLE_EQ(test::number(row.at("battery")), 87.5);
    EXPECT_EQ(row.at("wiped"), true);
    const Json& second = first.at("rows").at(1);
    EXPECT_EQ(second.at("officer"), "line\r\nbreak");
    EXPECT_EQ(second.at("docked"), "");
    EXPECT_DOUBLE_EQ(test::number(second.at("battery")), -3);
    EXPECT_EQ(second.at("wiped"), false);

    const Json& last = json.at("sections").at(1);
    ASSERT_TRUE(last.is_object());
    EXPECT_FALSE(last.contains("note"));
    EXPECT_EQ(elements(last.at("rows")).size(), 0u);
    EXPECT_EQ(elements(last.at("columns")).size(), 0u);
}

TEST_F(ReportJson, NumberThatIsNotFiniteIsNull) {
    Report report;
    Section section;
    section.key = "s";
    section.table.columns = {{"ratio", "Ratio"}};
    section.table.rows = {{number(std::numeric_limits<double>::quiet_NaN())}};
    report.sections = {section};
    Json json = parse_json(render_json(report));
    EXPECT_TRUE(json.at("sections").at(0).at("rows").at(0).at("ratio").is_null());
}

TEST_F(ReportJson, StringsEscapeWhatJsonRequires) {
    EXPECT_EQ(json_string("a\"b\\c"), R"("a\"b\\c")");
    EXPECT_EQ(json_string("\x01"), R"("\u0001")");
    EXPECT_EQ(json_string("东城"), "\"东城\"");
}

}  // namespace
}  // namespace cradle::reports
