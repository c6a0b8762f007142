// SPDX-License-Identifier: Apache-2.0
// Times are stored in UTC and shown in the reader's time zone: the day and the offset change
// at local midnight and at the daylight saving changes, exactly where the C library says.
#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <optional>
#include <string>

#include "reports/json.hpp"
#include "reports/local_time.hpp"
#include "tests/support/in_time_zone.hpp"

namespace cradle::reports {
namespace {

using test::InTimeZone;

// 2026-03-29 01:00:00 UTC: Central Europe moves from CET (+01:00) to CEST (+02:00).
constexpr std::int64_t berlin_spring_change = 1'774'746'000;
// 2026-10-25 01:00:00 UTC: back from CEST to CET.
constexpr std::int64_t berlin_autumn_change = 1'792'890'000;

TEST(ReportLocalTime, UtcIsWrittenWithZ) {
    EXPECT_EQ(utc_time_iso8601(berlin_spring_change), "2026-03-29T01:00:00Z");
    EXPECT_EQ(utc_time_iso8601(0), "1970-01-01T00:00:00Z");
}

TEST(ReportLocalTime, SpringChangeSkipsFromTwoToThree) {
    InTimeZone berlin("Europe/Berlin");
    EXPECT_EQ(local_time_text(berlin_spring_change - 1), "2026-03-29 01:59:59 CET");
    EXPECT_EQ(local_time_text(berlin_spring_change), "2026-03-29 03:00:00 CEST");
    EXPECT_EQ(local_time_iso8601(berlin_spring_change - 1), "2026-03-29T01:59:59+01:00");
    EXPECT_EQ(local_time_iso8601(berlin_spring_change), "2026-03-29T03:00:00+02:00");
}

TEST(ReportLocalTime, AutumnChangeRepeatsTwoOClockWithAnotherOffset) {
    InTimeZone berlin("Europe/Berlin");
    EXPECT_EQ(local_time_text(berlin_autumn_change - 1), "2026-10-25 02:59:59 CEST");
    EXPECT_EQ(local_time_text(berlin_autumn_change), "2026-10-25 02:00:00 CET");
    EXPECT_EQ(local_time_iso8601(berlin_autumn_change - 1), "2026-10-25T02:59:59+02:00");
    EXPECT_EQ(local_time_iso8601(berlin_autumn_change), "2026-10-25T02:00:00+01:00");
}

TEST(ReportLocalTime, LocalMidnightChangesTheDateNotUtcMidnight) {
    InTimeZone berlin("Europe/Berlin");
    // 2026-03-28 23:00:00 UTC is local midnight of the 29th.
    constexpr std::int64_t local_midnight = 1'774'738'800;
    EXPECT_EQ(local_time_text(local_midnight - 1), "2026-03-28 23:59:59 CET");
    EXPECT_EQ(local_time_text(local_midnight), "2026-03-29 00:00:00 CET");
    // UTC midnight is one in the morning locally, the same date.
    constexpr std::int64_t utc_midnight = local_midnight + 3600;
    EXPECT_EQ(utc_time_iso8601(utc_midnight), "2026-03-29T00:00:00Z");
    EXPECT_EQ(local_time_text(utc_midnight), "2026-03-29 01:00:00 CET");
}

TEST(ReportLocalTime, ZoneWestOfUtcShowsThePreviousDay) {
    InTimeZone new_york("America/New_York");
    EXPECT_EQ(local_time_text(1'774'742'400), "2026-03-28 20:00:00 EDT");  // 00:00Z on the 29th
    EXPECT_EQ(local_time_iso8601(1'774'742'400), "2026-03-28T20:00:00-04:00");
}

TEST(ReportLocalTime, ChangingTzWhileRunningIsHonoured) {
    {
        InTimeZone utc("UTC");
        EXPECT_EQ(local_time_text(berlin_spring_change), "2026-03-29 01:00:00 UTC");
    }
    InTimeZone shanghai("Asia/Shanghai");
    EXPECT_EQ(local_time_text(berlin_spring_change), "2026-03-29 09:00:00 CST");
}

constexpr std::int64_t hour = 3600;

std::int64_t length_of(const std::optional<Period>& day) {
    return day ? day->to - day->from : -1;
}

TEST(ReportLocalDay, SpringChangeDayHas23Hours) {
    InTimeZone berlin("Europe/Berlin");
    std::optional<Period> day = local_day("2026-03-29");
    ASSERT_TRUE(day);
    EXPECT_EQ(day->from, 1'774'738'800);  // 2026-03-28 23:00:00 UTC, local midnight in CET
    EXPECT_EQ(day->to, 1'774'821'600);    // 2026-03-29 22:00:00 UTC, local midnight in CEST
    EXPECT_EQ(length_of(day), 23 * hour);
}

TEST(ReportLocalDay, AutumnChangeDayHas25Hours) {
    InTimeZone berlin("Europe/Berlin");
    std::optional<Period> day = local_day("2026-10-25");
    ASSERT_TRUE(day);
    EXPECT_EQ(utc_time_iso8601(day->from), "2026-10-24T22:00:00Z");
    EXPECT_EQ(utc_time_iso8601(day->to), "2026-10-25T23:00:00Z");
    EXPECT_EQ(length_of(day), 25 * hour);
    EXPECT_TRUE(berlin_autumn_change >= day->from && berlin_autumn_change < day->to);
}

TEST(ReportLocalDay, OrdinaryDayHas24HoursFromLocalMidnight) {
    InTimeZone berlin("Europe/Berlin");
    std::optional<Period> day = local_day("2026-03-15");
    ASSERT_TRUE(day);
    EXPECT_EQ(utc_time_iso8601(day->from), "2026-03-14T23:00:00Z");
    EXPECT_EQ(length_of(day), 24 * hour);
    EXPECT_EQ(local_time_text(day->from), "2026-03-15 00:00:00 CET");
    EXPECT_EQ(local_time_text(day->to - 1), "2026-03-15 23:59:59 CET");
}

TEST(ReportLocalDay, DaysFollowEachOtherAcrossMonthAndYearEnds) {
    InTimeZone berlin("Europe/Berlin");
    EXPECT_EQ(local_day("2026-03-31")->to, local_day("2026-04-01")->from);
    EXPECT_EQ(local_day("2026-12-31")->to, local_day("2027-01-01")->from);
    EXPECT_EQ(local_day("2024-02-29")->to, local_day("2024-03-01")->from);
}

TEST(ReportLocalDay, NewYorkChangesOnItsOwnDates) {
    InTimeZone new_york("America/New_York");
    EXPECT_EQ(length_of(local_day("2026-03-08")), 23 * hour);
    EXPECT_EQ(length_of(local_day("2026-11-01")), 25 * hour);
    EXPECT_EQ(length_of(local_day("2026-03-29")), 24 * hour);  // Berlin's change day
    EXPECT_EQ(utc_time_iso8601(local_day("2026-03-29")->from), "2026-03-29T04:00:00Z");
}

TEST(ReportLocalDay, SameDateIsAnotherSpanInAnotherZone) {
    std::optional<Period> in_berlin;
    std::optional<Period> in_shanghai;
    {
        InTimeZone berlin("Europe/Berlin");
        in_berlin = local_day("2026-06-01");
    }
    {
        InTimeZone shanghai("Asia/Shanghai");
        in_shanghai = local_day("2026-06-01");
    }
    ASSERT_TRUE(in_berlin && in_shanghai);
    EXPECT_EQ(in_berlin->from - in_shanghai->from, 6 * hour);
}

TEST(ReportLocalDay, RejectsWhatIsNotACalendarDate) {
    InTimeZone berlin("Europe/Berlin");
    for (const char* wrong : {"",
                              "2026-02-30",
                              "2026-02-29",
                              "2100-02-29",
                              "2026-13-01",
                              "2026-00-10",
                              "2026-03-00",
                              "2026-04-31",
                              "2026-3-1",
                              "2026-03-1",
                              "26-03-01",
                              "2026/03/01",
                              "2026-03-01x",
                              "2026-03-01 ",
                              " 2026-03-01",
                              "2026-03-01T00:00",
                              "+026-03-01",
                              "2026-0a-01",
                              "1969-12-31",
                              "0000-01-01",
                              "today"}) {
        EXPECT_FALSE(local_day(wrong)) << '"' << wrong << '"';
    }
    EXPECT_FALSE(local_day(std::string("2026-03-01\0", 11)));
}

TEST(ReportLocalDay, AcceptsLeapDaysAndTheRangeEnds) {
    InTimeZone berlin("Europe/Berlin");
    EXPECT_TRUE(local_day("2024-02-29"));
    EXPECT_TRUE(local_day("2000-02-29"));
    EXPECT_TRUE(local_day("1970-01-02"));
    EXPECT_TRUE(local_day("2026-12-31"));
}

TEST(ReportLocalDay, TodayIsTheLocalDateOfNow) {
    InTimeZone west("Pacific/Pago_Pago");  // UTC-11: the local date often differs from UTC's
    std::int64_t before = std::time(nullptr);
    std::string today = local_date_today();
    std::int64_t after = std::time(nullptr);
    std::optional<Period> day = local_day(today);
    ASSERT_TRUE(day) << today;
    auto within = [&](std::int64_t moment) { return moment >= day->from && moment < day->to; };
    EXPECT_TRUE(within(before) || within(after)) << today;
}

TEST(ReportLocalTime, JsonCarriesBothRenderingsOfATime) {
    InTimeZone berlin("Europe/Berlin");
    Report report;
    report.key = "dock";
    report.generated_at_utc = berlin_spring_change;
    std::string json = render_json(report);
    EXPECT_NE(json.find(R"("utc": "2026-03-29T01:00:00Z")"), std::string::npos) << json;
    EXPECT_NE(json.find(R"("local": "2026-03-29 03:00:00 CEST")"), std::string::npos) << json;
}

}  // namespace
}  // namespace cradle::reports
