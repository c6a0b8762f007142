// SPDX-License-Identifier: Apache-2.0
// The udev rules that give the service's group access to what cradled opens as an ordinary
// user: the cameras of the device table (their /dev/bus/usb nodes, for libusb), and for each
// bay of the bay map the hub that powers its port (its /dev/bus/usb node for the PORT_POWER
// request, and its sysfs port switch) and its LEDs (brightness and trigger in the LED class).
// Generated from the tables so that editing them never leaves the rules behind
// (cradled --print-udev-rules; the packaged rules are those of the shipped tables).
#pragma once

#include "hw/usb/usb_spec.hpp"

#include <stdexcept>
#include <string>
#include <vector>

namespace cradle {

class UdevRulesError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// The whole rules file. Entries with driver "ignore" grant nothing. Throws UdevRulesError for
// an LED name that a udev rule cannot name safely (only letters, digits and ":_.+@-").
std::string make_udev_rules(const std::vector<hw::usb::DeviceRule>& devices,
                            const std::vector<hw::usb::BaySpec>& bays,
                            const std::string& group = "cradled");

}  // namespace cradle
