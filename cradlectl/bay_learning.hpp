// SPDX-License-Identifier: Apache-2.0
// Bay learning: IT plugs a camera into each bay in turn, and the port it appears on becomes
// that bay's port in the bay map. The walk-through is written against a small environment so
// that it can be tested without USB; bays_learn.cpp gives it the real one (libusb hotplug and
// standard input).
#pragma once

#include "hw/usb/usb_spec.hpp"

#include <chrono>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

namespace cradle::ctl {

class LearnError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

class LearnEnvironment {
  public:
    enum class Wake {
        line,           // IT pressed Enter
        device_change,  // a USB device arrived or left
        timeout,        // nothing within the time given
        end_of_input,   // standard input ended; returned once, later waits only watch
                        // the devices
    };
    virtual ~LearnEnvironment() = default;
    // Port paths of the cameras present now (the devices the device table serves).
    virtual std::vector<std::string> camera_ports() = 0;
    virtual Wake wait(std::chrono::milliseconds timeout) = 0;
};

struct LearnOptions {
    int bays = 0;
    std::chrono::milliseconds timeout_per_bay{std::chrono::minutes(5)};
    // LED names, with {bay} replaced by the bay number and {color} by red, green or amber
    // ("cradle:{color}:bay{bay}"); empty: no lights in the map.
    std::string led_pattern;
};

// Walks through bays 1..options.bays, writing the prompts to `prompts`. For each bay, the
// camera that appears after its prompt on a port no other bay has is the one; when IT presses
// Enter (or input ends) and nothing appeared, a single camera on an unassigned port is taken
// (it was plugged in before the prompt). Throws LearnError when a bay gets no camera in time.
std::vector<hw::usb::BaySpec> learn_bays(const LearnOptions& options, LearnEnvironment& environment,
                                         std::ostream& prompts);

// The bay map as TOML, loadable by the service.
std::string format_bay_map(const std::vector<hw::usb::BaySpec>& bays);

}  // namespace cradle::ctl
