// SPDX-License-Identifier: Apache-2.0
#include "engine/camera_health.hpp"

#include "common/utf8.hpp"

#include <cstddef>

namespace cradle {
namespace {

// A device cannot flood a report with faults.
constexpr std::size_t kMaxFaults = 16;

}  // namespace

std::vector<std::string> sanitized_faults(const std::vector<std::string>& faults) {
    std::vector<std::string> clean;
    for (const auto& fault : faults) {
        if (clean.size() >= kMaxFaults) break;
        clean.push_back(sanitize_text(fault, 128));
    }
    return clean;
}

std::string joined_faults(const std::vector<std::string>& faults) {
    std::string joined;
    for (const auto& fault : faults) joined += (joined.empty() ? "" : "; ") + fault;
    return joined;
}

HealthCheckRow health_check_row(const hw::DeviceHealth& health, int battery_percent, bool charging,
                                const std::vector<std::string>& faults) {
    HealthCheckRow row;
    row.battery_percent = battery_percent;
    row.charging = charging;
    row.faults = joined_faults(faults);
    row.storage_total_bytes = health.storage_total_bytes;
    row.storage_free_bytes = health.storage_free_bytes;
    return row;
}

}  // namespace cradle
