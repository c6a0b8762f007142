#include "reports/local_time.hpp"

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
    std::time_t moment = static_cast<std::time_t>(utc_seconds);
    std::tm fields{};
    if (gmtime_r(&moment, &fields) == nullptr) {
        fields = {};
    }
    return format(fields, "%Y-%m-%dT%H:%M:%SZ");
}

}  // namespace cradle::reports
