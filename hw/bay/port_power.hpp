// SPDX-License-Identifier: Apache-2.0
// Power of one bay's USB port, to power-cycle a camera that stops answering. Current kernels
// (6.0 and later) switch a hub port through sysfs (<hub>:<config>.<interface>/<hub>-port<N>/
// disable); older ones need the hub class request SET_FEATURE / CLEAR_FEATURE(PORT_POWER) sent
// to the hub, which hw/usb provides as a HubPortSwitch.
#pragma once

#include "hw/bay/bay_log.hpp"
#include "hw/port_path.hpp"

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>

namespace cradle::hw::bay {

// Switches a hub port through the hub itself. Throws std::runtime_error when it cannot.
class HubPortSwitch {
  public:
    virtual ~HubPortSwitch() = default;
    virtual void set_port_power(const usb::PortPath& port, bool on) = 0;
};

class PortPower {
  public:
    using Wait = std::function<void(std::chrono::milliseconds)>;

    // port: the port path of the socket to switch. usb_devices_dir: /sys/bus/usb/devices.
    // fallback may be null (then a port without a sysfs switch cannot be switched).
    PortPower(std::filesystem::path usb_devices_dir, usb::PortPath port, int bay,
              HubPortSwitch* fallback, LogSink log);

    // Never throws; returns whether the port was switched. Failures are logged.
    bool set(bool on);
    // Off, wait, on. `wait` is replaceable for tests; by default it sleeps.
    bool power_cycle(std::chrono::milliseconds off_time, const Wait& wait = {});

    // The sysfs `disable` file of the port, when the kernel offers one.
    std::optional<std::filesystem::path> disable_file() const;

  private:
    std::filesystem::path usb_devices_dir_;
    usb::PortPath port_;
    int bay_;
    HubPortSwitch* fallback_;
    LogSink log_;
};

}  // namespace cradle::hw::bay
