// SPDX-License-Identifier: Apache-2.0
// What the USB cradle is told by its configuration: the device table (which devices are
// cameras, which driver serves them, with which per-model quirks) and the bay map (which
// physical port is which bay, its lights and the hub port that powers it). Plain data, filled by
// the configuration loader (core/config/config.hpp) or by a test.
#pragma once

#include "hw/ptp/ptp_camera.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace cradle::hw::usb {

enum class DriverKind {
    ptp,     // PTP over the Still Image interface (hw/ptp)
    ignore,  // a known device that is not a camera (the cradle's own hubs, a service port)
};

// One [[device]] entry of the device table. An entry names a vendor (and maybe a product), an
// interface class, or both; all that it names must hold for it to match.
struct DeviceRule {
    std::string name;  // for log lines, e.g. "Vendor X BC-200"
    std::optional<std::uint16_t> vendor_id;
    std::optional<std::uint16_t> product_id;      // only together with vendor_id
    std::optional<std::uint8_t> interface_class;  // e.g. 6, Still Image
    DriverKind driver = DriverKind::ptp;
    ptp::PtpQuirks quirks;
};

// One [[bay]] entry of the bay map.
struct BaySpec {
    int number = 0;        // 1-based
    std::string port;      // port path of the bay's socket, "1-1.3"
    std::string hub_port;  // port path whose power is switched; usually the same as port
    std::string led_red;   // names under the LED class directory; empty when absent
    std::string led_green;
    std::string led_amber;
};

struct UsbCradleSpec {
    std::vector<DeviceRule> devices;
    std::vector<BaySpec> bays;  // numbered 1..N, in order
    // Where the LED class and the USB devices are in sysfs; tests point these at a fake tree.
    std::filesystem::path leds_dir = "/sys/class/leds";
    std::filesystem::path usb_devices_dir = "/sys/bus/usb/devices";
};

}  // namespace cradle::hw::usb
