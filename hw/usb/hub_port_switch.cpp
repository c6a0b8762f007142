// SPDX-License-Identifier: Apache-2.0
#include "hw/usb/hub_port_switch.hpp"

#include <utility>

namespace cradle::hw::usb {
namespace {

// USB 2.0, 11.24: hub class feature requests addressed to a port ("other" recipient).
constexpr std::uint8_t request_clear_feature = 0x01;
constexpr std::uint8_t request_set_feature = 0x03;
constexpr std::uint16_t feature_port_power = 8;
// bmRequestType: class request, host to device, recipient "other" (a hub port).
constexpr std::uint8_t class_port_out = 0x23;
constexpr unsigned hub_request_timeout_ms = 1000;

}  // namespace

LibusbHubPortSwitch::LibusbHubPortSwitch(std::shared_ptr<LibusbContext> context)
    : context_(std::move(context)) {}

void LibusbHubPortSwitch::set_port_power(const PortPath& port, bool on) {
    if (!context_) throw UsbError("USB is not started", LIBUSB_ERROR_NOT_FOUND);
    if (port.ports.empty())
        throw UsbError("no hub port in the port path", LIBUSB_ERROR_INVALID_PARAM);
    PortPath hub = port;
    hub.ports.pop_back();
    const DeviceList devices(context_->get());
    for (std::size_t i = 0; i < devices.size(); ++i) {
        if (port_path_of(devices[i]) != hub) continue;
        const DeviceHandle handle(devices[i]);
        const int rc = libusb_control_transfer(
            handle.get(), class_port_out, on ? request_set_feature : request_clear_feature,
            feature_port_power, port.ports.back(), nullptr, 0, hub_request_timeout_ms);
        if (rc < 0) throw UsbError("hub " + format_port_path(hub) + " refused PORT_POWER", rc);
        return;
    }
    throw UsbError("no hub at " + format_port_path(hub), LIBUSB_ERROR_NOT_FOUND);
}

}  // namespace cradle::hw::usb
