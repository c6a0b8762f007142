// SPDX-License-Identifier: Apache-2.0
#include "hw/bay/port_power.hpp"

#include "hw/bay/sysfs_attribute.hpp"

#include <exception>
#include <system_error>
#include <thread>
#include <utility>

namespace cradle::hw::bay {

PortPower::PortPower(std::filesystem::path usb_devices_dir, usb::PortPath port, int bay,
                     HubPortSwitch* fallback, LogSink log)
    : usb_devices_dir_(std::move(usb_devices_dir)),
      port_(std::move(port)),
      bay_(bay),
      fallback_(fallback),
      log_(std::move(log)) {}

std::optional<std::filesystem::path> PortPower::disable_file() const {
    if (port_.ports.empty()) return std::nullopt;
    const std::string hub = usb::hub_device_name(port_);
    // The hub's interfaces are "<hub>:<config>.<interface>"; a root hub's device is "usbB" but
    // its interfaces are "B-0:…".
    const std::string interface_prefix =
        port_.ports.size() == 1 ? std::to_string(port_.bus) + "-0:" : hub + ":";
    const std::string port_dir = hub + "-port" + std::to_string(port_.ports.back());
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(usb_devices_dir_ / hub, error)) {
        if (!entry.path().filename().string().starts_with(interface_prefix)) continue;
        const auto file = entry.path() / port_dir / "disable";
        if (std::filesystem::exists(file, error)) return file;
    }
    return std::nullopt;
}

bool PortPower::set(bool on) {
    const std::string what =
        std::string("port ") + usb::format_port_path(port_) + " power " + (on ? "on" : "off");
    if (const auto file = disable_file()) {
        const std::string error = write_attribute(*file, on ? "0" : "1");
        if (error.empty()) return true;
        if (log_)
            log_(LogLevel::warning, bay_,
                 "cannot switch " + what + " through " + file->string() + ": " + error);
        return false;
    }
    if (fallback_ == nullptr) {
        if (log_)
            log_(LogLevel::warning, bay_,
                 "cannot switch " + what + ": the kernel has no sysfs port switch for it");
        return false;
    }
    try {
        fallback_->set_port_power(port_, on);
        return true;
    } catch (const std::exception& e) {
        if (log_)
            log_(LogLevel::warning, bay_,
                 "cannot switch " + what + " through the hub: " + e.what());
        return false;
    }
}

bool PortPower::power_cycle(std::chrono::milliseconds off_time, const Wait& wait) {
    if (!set(false)) return false;
    if (wait)
        wait(off_time);
    else
        std::this_thread::sleep_for(off_time);
    return set(true);
}

}  // namespace cradle::hw::bay
