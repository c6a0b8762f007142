// SPDX-License-Identifier: Apache-2.0
// A stand-alone USB client, as a third-party PTP tool would be: lists the Still Image devices
// libusb finds, asks each for its DeviceInfo over the bulk endpoints, and prints one line per
// camera ("1-1.2 BWC-0002 LC-BWC7"), sorted by port. `usb_probe N` exits 1 unless exactly N
// cameras answered. Run by the cradle-emulate test under the emulated bus.
#include "hw/ptp/codes.hpp"
#include "hw/ptp/container.hpp"
#include "hw/ptp/datasets.hpp"
#include "tests/usb/libusb_handles.hpp"

#include <algorithm>
#include <cstring>
#include <iostream>
#include <string>
#include <vector>

namespace {

using namespace cradle;

std::string port_text(libusb_device* device) {
    std::string text = std::to_string(libusb_get_bus_number(device));
    const auto chain = test::port_chain(device);
    for (std::size_t i = 0; i < chain.size(); ++i)
        text += (i == 0 ? "-" : ".") + std::to_string(chain[i]);
    return text;
}

bool is_still_image(libusb_device* device) {
    libusb_config_descriptor* config = nullptr;
    if (libusb_get_active_config_descriptor(device, &config) != 0) return false;
    const bool still_image =
        config->bNumInterfaces > 0 &&
        config->interface[0].altsetting[0].bInterfaceClass == LIBUSB_CLASS_IMAGE;
    libusb_free_config_descriptor(config);
    return still_image;
}

// "serial model" from the camera's DeviceInfo, or an error text.
std::string device_info(libusb_device* device) {
    libusb_device_handle* raw = nullptr;
    if (libusb_open(device, &raw) != 0) return "error: cannot open";
    test::LibusbHandle handle(raw);
    if (libusb_claim_interface(raw, 0) != 0) return "error: cannot claim";
    auto command = hw::ptp::encode_params_container(hw::ptp::ContainerType::command,
                                                    hw::ptp::op::get_device_info, 1, {});
    int done = 0;
    if (libusb_bulk_transfer(raw, 0x02, reinterpret_cast<unsigned char*>(command.data()),
                             static_cast<int>(command.size()), &done, 2000) != 0)
        return "error: command not sent";
    std::vector<unsigned char> buffer(64 * 1024);
    if (libusb_bulk_transfer(raw, 0x81, buffer.data(), static_cast<int>(buffer.size()), &done,
                             2000) != 0)
        return "error: no data";
    try {
        auto bytes = std::as_bytes(std::span(buffer.data(), static_cast<std::size_t>(done)));
        auto info = hw::ptp::parse_device_info(bytes.subspan(hw::ptp::kHeaderSize));
        return info.serial_number + " " + info.model;
    } catch (const std::exception& error) {
        return std::string("error: ") + error.what();
    }
}

}  // namespace

int main(int argc, char** argv) {
    const std::size_t expected = argc > 1 ? std::stoul(argv[1]) : 1;
    try {
        auto context = test::make_libusb_context();
        libusb_device** list = nullptr;
        const auto count = libusb_get_device_list(context.get(), &list);
        std::vector<std::string> lines;
        bool failed = false;
        for (ssize_t i = 0; i < count; ++i) {
            if (!is_still_image(list[i])) continue;
            const std::string info = device_info(list[i]);
            failed = failed || info.rfind("error", 0) == 0;
            lines.push_back(port_text(list[i]) + " " + info);
        }
        if (list != nullptr) libusb_free_device_list(list, 1);
        std::sort(lines.begin(), lines.end());
        for (const auto& line : lines) std::cout << line << "\n";
        return lines.size() != expected || failed ? 1 : 0;
    } catch (const std::exception& error) {
        std::cerr << "usb_probe: " << error.what() << "\n";
        return 1;
    }
}
