// SPDX-License-Identifier: Apache-2.0
// A charging cradle: bays that cameras are docked in, one light per bay, switchable port power.
#pragma once

#include "hw/camera_driver.hpp"

#include <memory>
#include <string>

namespace cradle::hw {

// What a bay light shows (docs/operations.md has the custodian's table).
enum class BayLight {
    off,              // empty
    working,          // amber, blinking: identify, check, offload, verify, wipe
    ready,            // green, steady: archived, wiped, ready for duty
    not_ready,        // green, blinking: archived and wiped, but not ready for duty
    needs_custodian,  // red: unknown device, verify failure, device error
};

const char* to_string(BayLight light) noexcept;

// Receives hotplug events. May be called from any thread; implementations in the daemon post
// them onto the event loop.
class CradleListener {
  public:
    virtual ~CradleListener() = default;
    // bay is 1-based. port_path is the USB port chain ("1-1.3") or an emulated equivalent.
    virtual void camera_attached(int bay, const std::string& port_path,
                                 std::shared_ptr<CameraDriver> camera) = 0;
    virtual void camera_detached(int bay) = 0;
};

class Cradle {
  public:
    virtual ~Cradle() = default;
    virtual int bay_count() const = 0;
    // Starts reporting events; cameras already docked are reported as attached.
    virtual void start(CradleListener& listener) = 0;
    virtual void stop() = 0;
    virtual void set_light(int bay, BayLight light) = 0;
    // Power-cycles a bay's port (used when a camera stops answering).
    virtual void set_port_power(int bay, bool on) = 0;
};

}  // namespace cradle::hw
