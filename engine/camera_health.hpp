// SPDX-License-Identifier: Apache-2.0
// What the bay keeps of a camera's health reading: its faults, bounded and printable, joined
// as the catalog keeps them, and the reading as a health check of the dock. The bay session
// (at the dock) and the charge watch (while the camera charges) keep their readings alike.
#pragma once

#include "core/catalog/catalog.hpp"
#include "hw/camera_driver.hpp"

#include <string>
#include <vector>

namespace cradle {

// The camera's faults, sixteen at the most, each made printable and cut to 128 bytes: a camera
// cannot flood a report with them.
std::vector<std::string> sanitized_faults(const std::vector<std::string>& faults);

// The faults as one text, "; "-joined ("" when none), as a health check keeps them.
std::string joined_faults(const std::vector<std::string>& faults);

// The reading as a health check of a dock: the battery and charging as the cradle concluded
// them, the faults as kept (see sanitized_faults), the storage as the camera gave it. The dock
// and the time are the caller's to set.
HealthCheckRow health_check_row(const hw::DeviceHealth& health, int battery_percent, bool charging,
                                const std::vector<std::string>& faults);

}  // namespace cradle
