// SPDX-License-Identifier: Apache-2.0
// USB descriptors of the emulated devices, as the kernel exposes them in sysfs ("descriptors":
// the device descriptor followed by the configuration descriptor with its interfaces and
// endpoints) and as GET_DESCRIPTOR answers them.
#pragma once

#include "sim/umockdev/usb_function.hpp"

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace cradle::hw::sim::usb {

// A Still Image camera: one configuration, interface 0 of class 6/1/1 with bulk-in, bulk-out
// and interrupt-in endpoints. Strings 1, 2, 3 are manufacturer, product and serial.
std::vector<std::uint8_t> camera_device_descriptor(const UsbIdentity& identity);
std::vector<std::uint8_t> camera_config_descriptor(const UsbIdentity& identity);

// A high-speed hub: the root hub of the bus, or the cradle's own hub.
std::vector<std::uint8_t> hub_device_descriptor(bool root);
std::vector<std::uint8_t> hub_config_descriptor();

// A string descriptor (UTF-16LE of an ASCII/UTF-8 text; non-ASCII becomes '?'), or the
// language list for index 0.
std::vector<std::uint8_t> string_descriptor(std::string_view text);
std::vector<std::uint8_t> language_descriptor();

// The string with this index for a camera; nullopt for an unknown index.
std::optional<std::vector<std::uint8_t>> camera_string(const UsbIdentity& identity,
                                                       std::uint8_t index);

}  // namespace cradle::hw::sim::usb
