#include "hw/usb/usb_cradle.hpp"

#include "hw/usb/device_matcher.hpp"
#include "hw/usb/usb_ptp_transport.hpp"

#include <cstdio>
#include <exception>
#include <utility>

namespace cradle::hw::usb {
namespace {

std::string vid_pid(const libusb_device_descriptor& descriptor) {
    char text[16];
    std::snprintf(text, sizeof text, "%04x:%04x", descriptor.idVendor, descriptor.idProduct);
    return text;
}

DeviceDescription describe(const libusb_device_descriptor& descriptor,
                           const libusb_config_descriptor& config) {
    DeviceDescription device;
    device.vendor_id = descriptor.idVendor;
    device.product_id = descriptor.idProduct;
    for (int i = 0; i < config.bNumInterfaces; ++i)
        for (int a = 0; a < config.interface[i].num_altsetting; ++a)
            device.interface_classes.push_back(config.interface[i].altsetting[a].bInterfaceClass);
    return device;
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
    libusb_device_descriptor descriptor{};
    if (const int rc = libusb_get_device_descriptor(device, &descriptor); rc != LIBUSB_SUCCESS)
        throw UsbError("cannot read the device descriptor", rc);
    // Hubs are the cradle itself.
    if (descriptor.bDeviceClass == LIBUSB_CLASS_HUB) return;
    const std::string port = format_port_path(port_path_of(device));
    const std::string id = vid_pid(descriptor);

    DeviceDescription description;
    {
        const ConfigDescriptor config(device);
        description = describe(descriptor, config.get());
    }
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
        if (options_.log)
            options_.log(bay::LogLevel::error, bay->number,
                         "camera " + id + " (" + rule->name + ") at port " + port +
                             " cannot be used: " + e.what());
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
    if (!logged_.insert(key).second || !options_.log) return;
    options_.log(level, bay, text);
}

}  // namespace cradle::hw::usb
