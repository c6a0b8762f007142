// SPDX-License-Identifier: Apache-2.0
// A UTC time as ISO 8601 text, as the catalog stores times (Unix seconds) and as the reports,
// cradlectl and the central archive write them.
#pragma once

#include <cstdint>
#include <string>

namespace cradle {

// "2024-05-01T10:00:00Z". A device can claim any capture time: one that is no calendar date
// this system can write is given as "@" and the number of seconds.
std::string utc_iso8601(std::int64_t unix_s);

}  // namespace cradle
