// SPDX-License-Identifier: Apache-2.0
// The production cradle: cameras on USB. A device that arrives is matched against the device
// table, its port against the bay map, and a mapped camera is handed to the listener with its
// driver; lights and port power go through hw/bay.
//
// Tests and the emulated USB environment drive it like the daemon does: fill a UsbCradleSpec
// (by hand or from the configuration), pass a camera factory (ptp_camera_factory() for the
// real driver), start(listener). The libusb context is created in start(), so an emulated USB
// environment must be in place before that.
#pragma once

#include "hw/bay/bay_lights.hpp"
#include "hw/bay/port_power.hpp"
#include "hw/cradle.hpp"
#include "hw/usb/hub_port_switch.hpp"
#include "hw/usb/usb_context.hpp"
#include "hw/usb/usb_spec.hpp"

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

namespace cradle::hw::usb {

// Builds the camera driver of a PTP device from its transport and its model's quirks.
using CameraFactory = std::function<std::shared_ptr<CameraDriver>(
    std::unique_ptr<ptp::PtpTransport> transport, const ptp::PtpQuirks& quirks)>;

// The real driver: hw::ptp::PtpCamera.
CameraFactory ptp_camera_factory();

struct UsbCradleOptions {
    CameraFactory camera_factory;  // required
    bay::LogSink log = bay::stderr_log();
    // A context to use instead of creating one in start() (tests that share one).
    std::shared_ptr<LibusbContext> context;
};

class UsbCradle final : public Cradle {
  public:
    UsbCradle(UsbCradleSpec spec, UsbCradleOptions options);
    ~UsbCradle() override;

    int bay_count() const override { return static_cast<int>(spec_.bays.size()); }
    // Throws UsbError when libusb cannot start or watch for devices (no USB access).
    void start(CradleListener& listener) override;
    void stop() override;
    void set_light(int bay, BayLight light) override;
    void set_port_power(int bay, bool on) override;

  private:
    struct Docked {
        std::uint8_t bus = 0;
        std::uint8_t address = 0;
        bool reported = false;  // the listener was told (false: it could not be opened)
    };

    void on_hotplug(HotplugEvent event, const DeviceRef& device);
    void arrived(libusb_device* device);
    void left(libusb_device* device);
    void log_once(const std::string& key, bay::LogLevel level, int bay, const std::string& text);

    UsbCradleSpec spec_;
    UsbCradleOptions options_;
    std::vector<bay::BayLights> lights_;  // index bay - 1
    std::mutex lights_mutex_;
    LibusbHubPortSwitch hub_switch_;
    std::vector<bay::PortPower> power_;
    std::mutex power_mutex_;

    // Event thread only.
    CradleListener* listener_ = nullptr;
    std::map<int, Docked> docked_;  // by bay
    std::set<std::string> logged_;
    std::unique_ptr<UsbContext> usb_;
};

}  // namespace cradle::hw::usb
