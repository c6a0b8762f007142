// SPDX-License-Identifier: Apache-2.0
#include "hw/usb/usb_cradle.hpp"

#include "hw/usb/device_description.hpp"
#include "hw/usb/usb_ptp_transport.hpp"

#include <cstdio>
#include <exception>
#include <utility>

namespace cradle::hw::usb {
namespace {

constexpr std::size_t max_logged_devices = 1024;

std::string vid_pid(const DeviceDescription& device) {
    char text[16];
    std::snprintf(text, sizeof text, "%04x:%04x", device.vendor_id, device.product_id);
    return text;
}

}  // namespace

UsbCradle::UsbCradle(UsbCradleSpec spec, UsbCradleOptions options)
    : spec_(std::move(spec)), options_(std::move(options)) {
    for (const BaySpec& bay : spec_.bays) {
        lights_.emplace_back(spec_.leds_dir, bay.number,
                             bay::BayLightNames{bay.led_red, bay.led_green, bay.led_amber},
                             options_.log);
        const auto hub_port = parse_port_path(bay.hub_port.empty() ? bay.port : bay.hub_port);
        power_.emplace_back(spec_.usb_devices_dir, hub_port.value_or(PortPath{}), bay.number,
                            &hub_switch_, options_.log);
    }
}

UsbCradle::~UsbCradle() {
    stop();
}

void UsbCradle::start(CradleListener& listener) {
    if (usb_) return;
    if (!options_.camera_factory)
        throw UsbError("the USB cradle has no camera driver factory", LIBUSB_ERROR_INVALID_PARAM);
    auto context = options_.context ? options_.context : LibusbContext::create();
    {
        std::lock_guard lock(power_mutex_);
        hub_switch_.use(context);
    }
    listener_ = &listener;
    usb_ = std::make_unique<UsbContext>(std::move(context));
    usb_->start([this](HotplugEvent event, const DeviceRef& device) { on_hotplug(event, device); });
}

void UsbCradle::stop() {
    if (!usb_) return;
    usb_->stop();
    usb_.reset();
    docked_.clear();
    listener_ = nullptr;
}

void UsbCradle::set_light(int bay, BayLight light) {
    if (bay < 1 || bay > bay_count()) return;
    std::lock_guard lock(lights_mutex_);
    lights_[static_cast<std::size_t>(bay - 1)].show(light);
}

void UsbCradle::set_port_power(int bay, bool on) {
    if (bay < 1 || bay > bay_count()) return;
    std::lock_guard lock(power_mutex_);
    power_[static_cast<std::size_t>(bay - 1)].set(on);
}

void UsbCradle::on_hotplug(HotplugEvent event, const DeviceRef& device) {
    try {
        if (event == HotplugEvent::arrived)
            arrived(device.get());
        else
            left(device.get());
    } catch (const std::exception& e) {
        if (options_.log)
            options_.log(
                bay::LogLevel::error, 0,
                "USB device at " + format_port_path(port_path_of(device.get())) + ": " + e.what());
    }
}

void UsbCradle::arrived(libusb_device* device) {
    const DescribedDevice described = describe_device(device);
    // Hubs are the cradle itself.
    if (described.is_hub) return;
    const DeviceDescription& description = described.description;
    const std::string port = format_port_path(port_path_of(device));
    const std::string id = vid_pid(description);
    const DeviceRule* rule = match_device(spec_.devices, description);
    if (rule == nullptr) {
        log_once("unknown " + id + " " + port, bay::LogLevel::info, 0,
                 "ignoring USB device " + id + " at " + port + ": not in the device table");
        return;
    }
    if (rule->driver == DriverKind::ignore) return;
    const BaySpec* bay = bay_at_port(spec_.bays, port);
    if (bay == nullptr) {
        log_once("unmapped " + id + " " + port, bay::LogLevel::warning, 0,
                 "ignoring camera " + id + " (" + rule->name + ") at port " + port +
                     ": the port is not in the bay map");
        return;
    }

    if (const auto previous = docked_.find(bay->number); previous != docked_.end()) {
        // A leave that never came (the device re-enumerated faster than it was reported).
        if (previous->second.reported && listener_ != nullptr)
            listener_->camera_detached(bay->number);
        docked_.erase(previous);
    }
    Docked docked;
    docked.bus = libusb_get_bus_number(device);
    docked.address = libusb_get_device_address(device);

    std::unique_ptr<UsbPtpTransport> transport;
    try {
        // Listed by VID:PID: an MTP device may declare a vendor class for its PTP interface.
        transport =
            std::make_unique<UsbPtpTransport>(usb_->libusb(), device, rule->vendor_id.has_value());
    } catch (const std::exception& e) {
        docked_[bay->number] = docked;
        std::string hint;
        if (const auto* usb_error = dynamic_cast<const UsbError*>(&e);
            usb_error != nullptr && usb_error->code() == LIBUSB_ERROR_ACCESS) {
            char node[32];
            std::snprintf(node, sizeof node, "/dev/bus/usb/%03u/%03u", unsigned{docked.bus},
                          unsigned{docked.address});
            hint = std::string("; the service has no write access to ") + node +
                   " (install the udev rule of the package, or check the unit's DeviceAllow=)";
        }
        if (options_.log)
            options_.log(bay::LogLevel::error, bay->number,
                         "camera " + id + " (" + rule->name + ") at port " + port +
                             " cannot be used: " + e.what() + hint);
        set_light(bay->number, BayLight::needs_custodian);
        return;
    }
    auto camera = options_.camera_factory(std::move(transport), rule->quirks);
    docked.reported = true;
    docked_[bay->number] = docked;
    if (options_.log)
        options_.log(bay::LogLevel::info, bay->number,
                     "camera " + id + " (" + rule->name + ") docked at port " + port);
    listener_->camera_attached(bay->number, port, std::move(camera));
}

void UsbCradle::left(libusb_device* device) {
    const std::uint8_t bus = libusb_get_bus_number(device);
    const std::uint8_t address = libusb_get_device_address(device);
    for (auto it = docked_.begin(); it != docked_.end(); ++it) {
        if (it->second.bus != bus || it->second.address != address) continue;
        const int bay = it->first;
        const bool reported = it->second.reported;
        docked_.erase(it);
        if (reported)
            listener_->camera_detached(bay);
        else
            set_light(bay, BayLight::off);
        return;
    }
}

void UsbCradle::log_once(const std::string& key, bay::LogLevel level, int bay,
                         const std::string& text) {
    // A device that re-enumerates with new ids each time must not grow this without bound;
    // forgetting now and then only repeats a log line.
    if (logged_.size() >= max_logged_devices) logged_.clear();
    if (!logged_.insert(key).second || !options_.log) return;
    options_.log(level, bay, text);
}

}  // namespace cradle::hw::usb
