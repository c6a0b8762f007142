// SPDX-License-Identifier: Apache-2.0
// Port power through the hub class request SET_FEATURE / CLEAR_FEATURE(PORT_POWER), for
// kernels without the sysfs port `disable` file. Needs write access to the hub's device node.
#pragma once

#include "hw/bay/port_power.hpp"
#include "hw/usb/libusb_handles.hpp"

#include <memory>
#include <utility>

namespace cradle::hw::usb {

class LibusbHubPortSwitch final : public bay::HubPortSwitch {
  public:
    LibusbHubPortSwitch() = default;
    explicit LibusbHubPortSwitch(std::shared_ptr<LibusbContext> context);
    // The context to find hubs in (not thread-safe against set_port_power).
    void use(std::shared_ptr<LibusbContext> context) { context_ = std::move(context); }
    // Throws UsbError when there is no context yet, or the hub is not found or refuses.
    void set_port_power(const PortPath& port, bool on) override;

  private:
    std::shared_ptr<LibusbContext> context_;
};

}  // namespace cradle::hw::usb
