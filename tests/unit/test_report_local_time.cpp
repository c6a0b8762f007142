// Times are stored in UTC and shown in the reader's time zone: the day and the offset change
// at local midnight and at the daylight saving changes, exactly where the C library says.
#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>
#include <optional>
#include <string>

#include "reports/json.hpp"
#include "reports/local_time.hpp"

namespace cradle::reports {
namespace {

class InTimeZone {
  public:
    explicit InTimeZone(const char* zone) {
        if (const char* old = std::getenv("TZ")) {
            previous_ = old;
        }
        setenv("TZ", zone, 1);
        tzset();
    }
    ~InTimeZone() {
        if (previous_) {
            setenv("TZ", previous_->c_str(), 1);
        } else {
            unsetenv("TZ");
        }
        tzset();
    }

  private:
    std::optional<std::string> previous_;
};

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
