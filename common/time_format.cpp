// SPDX-License-Identifier: Apache-2.0
#include "common/time_format.hpp"

#include <ctime>

namespace cradle {

std::string utc_iso8601(std::int64_t unix_s) {
    const auto time = static_cast<std::time_t>(unix_s);
    std::tm parts{};
    char text[64];
    if (gmtime_r(&time, &parts) == nullptr ||
        std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts) == 0) {
        return "@" + std::to_string(unix_s);
    }
    return text;
}

}  // namespace cradle
