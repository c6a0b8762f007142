// SPDX-License-Identifier: Apache-2.0
// What the device table matches on, read from a device's descriptors (no I/O to the device:
// libusb has them cached from enumeration).
#pragma once

#include "hw/usb/device_matcher.hpp"
#include "hw/usb/libusb_handles.hpp"

namespace cradle::hw::usb {

struct DescribedDevice {
    DeviceDescription description;
    bool is_hub = false;  // the cradle's own hubs, never cameras
};

// Throws UsbError when the descriptors cannot be read.
DescribedDevice describe_device(libusb_device* device);

}  // namespace cradle::hw::usb
