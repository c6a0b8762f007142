// SPDX-License-Identifier: Apache-2.0
// Which device-table entry serves a USB device, and which bay a port is. Pure logic, so that
// what a device table means can be tested without USB.
#pragma once

#include "hw/usb/usb_spec.hpp"

#include <cstdint>
#include <string_view>
#include <vector>

namespace cradle::hw::usb {

// What the matcher needs to know of a device: its descriptors, read without talking to it.
struct DeviceDescription {
    std::uint16_t vendor_id = 0;
    std::uint16_t product_id = 0;
    std::vector<std::uint8_t> interface_classes;  // of the active configuration
};

// The entry that serves the device, or nullptr. When several entries match, the most specific
// wins (vendor and product, then vendor, then interface class alone; naming the class as well
// breaks a tie), and among equally specific entries the first in the table. So a model listed
// by VID:PID overrides the generic class-6 entry, whatever the order of the file.
const DeviceRule* match_device(const std::vector<DeviceRule>& rules,
                               const DeviceDescription& device);

// The bay whose socket is at `port`, or nullptr for a port that is not in the bay map.
const BaySpec* bay_at_port(const std::vector<BaySpec>& bays, std::string_view port);

}  // namespace cradle::hw::usb
