// SPDX-License-Identifier: Apache-2.0
#include "reports/local_time.hpp"

#include "common/time_format.hpp"

#include <ctime>

namespace cradle::reports {
namespace {

// tzset() every time: the C library reads TZ once otherwise, and a reader (or a test) may
// change it while the process runs.
std::tm local_fields(std::int64_t utc_seconds) {
    tzset();
    std::time_t moment = static_cast<std::time_t>(utc_seconds);
    std::tm fields{};
    if (localtime_r(&moment, &fields) == nullptr) {
        fields = {};
    }
    return fields;
}

std::string format(const std::tm& fields, const char* pattern) {
    char buffer[64];
    std::size_t length = std::strftime(buffer, sizeof buffer, pattern, &fields);
    return std::string(buffer, length);
}

// Years a report can sensibly ask about; outside them a typo is more likely than a wish.
constexpr int earliest_year = 1970;
constexpr int latest_year = 9999;

bool is_leap(int year) {
    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int days_in_month(int year, int month) {
    constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && is_leap(year) ? 29 : days[month - 1];
}

// Exactly "YYYY-MM-DD", digits only: sscanf alone would take "2026-3-1" or " 2026-03-01".
bool parse_date(const std::string& date, int& year, int& month, int& day) {
    if (date.size() != 10 || date[4] != '-' || date[7] != '-') {
        return false;
    }
    for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
        if (date[i] < '0' || date[i] > '9') {
            return false;
        }
    }
    auto digits = [&](std::size_t from, std::size_t count) {
        int value = 0;
        for (std::size_t i = from; i < from + count; ++i) {
            value = value * 10 + (date[i] - '0');
        }
        return value;
    };
    year = digits(0, 4);
    month = digits(5, 2);
    day = digits(8, 2);
    return year >= earliest_year && year <= latest_year && month >= 1 && month <= 12 && day >= 1 &&
           day <= days_in_month(year, month);
}

// The first moment of a local date. mktime with tm_isdst = -1 lets the C library decide
// whether summer time applies at that midnight, so the day's length comes out right.
std::optional<std::int64_t> local_midnight(int year, int month, int day) {
    std::tm fields{};
    fields.tm_year = year - 1900;
    fields.tm_mon = month - 1;
    fields.tm_mday = day;  // may be one past the month's end: mktime carries it over
    fields.tm_isdst = -1;
    std::time_t moment = std::mktime(&fields);
    if (moment == static_cast<std::time_t>(-1)) {
        return std::nullopt;
    }
    return static_cast<std::int64_t>(moment);
}

}  // namespace

std::string local_time_text(std::int64_t utc_seconds) {
    return format(local_fields(utc_seconds), "%Y-%m-%d %H:%M:%S %Z");
}

std::string local_time_iso8601(std::int64_t utc_seconds) {
    std::string stamp = format(local_fields(utc_seconds), "%Y-%m-%dT%H:%M:%S%z");
    // strftime gives +0100; ISO 8601's extended form, which the date part already uses, wants
    // +01:00.
    if (stamp.size() < 5) {
        return stamp;
    }
    std::size_t minutes = stamp.size() - 2;
    return stamp.substr(0, minutes) + ":" + stamp.substr(minutes);
}

std::string utc_time_iso8601(std::int64_t utc_seconds) {
    return utc_iso8601(utc_seconds);
}

std::optional<Period> local_day(const std::string& date) {
    int year = 0;
    int month = 0;
    int day = 0;
    if (!parse_date(date, year, month, day)) {
        return std::nullopt;
    }
    tzset();
    std::optional<std::int64_t> from = local_midnight(year, month, day);
    std::optional<std::int64_t> to = local_midnight(year, month, day + 1);
    if (!from || !to || *to <= *from) {
        return std::nullopt;
    }
    return Period{*from, *to};
}

std::string local_date_today() {
    return format(local_fields(static_cast<std::int64_t>(std::time(nullptr))), "%Y-%m-%d");
}

}  // namespace cradle::reports
