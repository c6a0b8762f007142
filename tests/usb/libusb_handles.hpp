// SPDX-License-Identifier: Apache-2.0
// RAII for the libusb handles the USB tests use directly.
#pragma once

#include <libusb.h>

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <vector>

namespace cradle::test {

struct LibusbContextDeleter {
    void operator()(libusb_context* context) const { libusb_exit(context); }
};
using LibusbContext = std::unique_ptr<libusb_context, LibusbContextDeleter>;

inline LibusbContext make_libusb_context() {
    libusb_context* context = nullptr;
    if (libusb_init(&context) != 0) throw std::runtime_error("libusb_init failed");
    return LibusbContext{context};
}

struct LibusbHandleDeleter {
    void operator()(libusb_device_handle* handle) const { libusb_close(handle); }
};
using LibusbHandle = std::unique_ptr<libusb_device_handle, LibusbHandleDeleter>;

struct LibusbTransferDeleter {
    void operator()(libusb_transfer* transfer) const { libusb_free_transfer(transfer); }
};
using LibusbTransfer = std::unique_ptr<libusb_transfer, LibusbTransferDeleter>;

// The port chain of a device ({1, 3} for "1-1.3").
inline std::vector<std::uint8_t> port_chain(libusb_device* device) {
    std::uint8_t ports[8];
    const int count = libusb_get_port_numbers(device, ports, sizeof ports);
    if (count < 0) return {};
    return {ports, ports + count};
}

// Opens the device with this vendor/product in this port chain; null when there is none.
inline LibusbHandle open_device(libusb_context* context, std::uint16_t vendor,
                                std::uint16_t product, const std::vector<std::uint8_t>& ports) {
    libusb_device** list = nullptr;
    const auto count = libusb_get_device_list(context, &list);
    LibusbHandle handle;
    for (ssize_t i = 0; i < count && !handle; ++i) {
        libusb_device_descriptor descriptor{};
        if (libusb_get_device_descriptor(list[i], &descriptor) != 0) continue;
        if (descriptor.idVendor != vendor || descriptor.idProduct != product) continue;
        if (port_chain(list[i]) != ports) continue;
        libusb_device_handle* raw = nullptr;
        if (libusb_open(list[i], &raw) == 0) handle.reset(raw);
    }
    if (list != nullptr) libusb_free_device_list(list, 1);
    return handle;
}

}  // namespace cradle::test
