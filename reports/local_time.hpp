// SPDX-License-Identifier: Apache-2.0
// Times in reports: stored as UTC seconds, shown in the reader's local time zone. The C
// library does the conversion (TZ honoured, daylight saving and midnight included).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/catalog/report_facts.hpp"

namespace cradle::reports {

// "2026-03-29 03:00:00 CEST": for people.
std::string local_time_text(std::int64_t utc_seconds);

// "2026-03-29T03:00:00+02:00": local time with its offset, exact and readable by spreadsheets.
std::string local_time_iso8601(std::int64_t utc_seconds);

// "2026-03-29T01:00:00Z".
std::string utc_time_iso8601(std::int64_t utc_seconds);

// The local day of a date "2026-03-29": from its local midnight to the next one (23, 24 or 25
// hours across a daylight saving change). nullopt when the text is not a valid date.
std::optional<Period> local_day(const std::string& date);

// Today's local date, "2026-03-29".
std::string local_date_today();

}  // namespace cradle::reports
