// SPDX-License-Identifier: Apache-2.0
#include "sim/umockdev/usb_descriptors.hpp"

namespace cradle::hw::sim::usb {
namespace {

void put16(std::vector<std::uint8_t>& out, std::uint16_t value) {
    out.push_back(static_cast<std::uint8_t>(value & 0xFF));
    out.push_back(static_cast<std::uint8_t>(value >> 8));
}

std::vector<std::uint8_t> device_descriptor(std::uint8_t device_class, std::uint8_t protocol,
                                            std::uint16_t vendor, std::uint16_t product,
                                            std::uint16_t release, bool strings) {
    std::vector<std::uint8_t> out{18, 1};
    put16(out, 0x0200);  // USB 2.0
    out.insert(out.end(), {device_class, 0, protocol, 64});
    put16(out, vendor);
    put16(out, product);
    put16(out, release);
    out.insert(out.end(), {static_cast<std::uint8_t>(strings ? 1 : 0),
                           static_cast<std::uint8_t>(strings ? 2 : 0),
                           static_cast<std::uint8_t>(strings ? 3 : 0), 1});
    return out;
}

void put_endpoint(std::vector<std::uint8_t>& out, std::uint8_t address, std::uint8_t attributes,
                  std::uint16_t max_packet, std::uint8_t interval) {
    out.insert(out.end(), {7, 5, address, attributes});
    put16(out, max_packet);
    out.push_back(interval);
}

void finish_config(std::vector<std::uint8_t>& out) {
    out[2] = static_cast<std::uint8_t>(out.size() & 0xFF);
    out[3] = static_cast<std::uint8_t>(out.size() >> 8);
}

}  // namespace

std::vector<std::uint8_t> camera_device_descriptor(const UsbIdentity& identity) {
    return device_descriptor(0, 0, identity.vendor_id, identity.product_id, identity.device_release,
                             true);
}

std::vector<std::uint8_t> camera_config_descriptor(const UsbIdentity& identity) {
    // Self-powered in the cradle (it charges the camera), 100 mA from the bus.
    std::vector<std::uint8_t> out{9, 2, 0, 0, 1, 1, 0, 0xC0, 50};
    out.insert(out.end(), {9, 4, 0, 0, 3, 6, 1, 1, 0});
    put_endpoint(out, kBulkInAddress, 2, identity.max_packet_size, 0);
    put_endpoint(out, kBulkOutAddress, 2, identity.max_packet_size, 0);
    put_endpoint(out, kInterruptInAddress, 3, kInterruptMaxPacketSize, 8);
    finish_config(out);
    return out;
}

std::vector<std::uint8_t> hub_device_descriptor(bool root) {
    // Root hubs are the Linux Foundation's 1d6b:0002; the cradle's own hub a generic one.
    return root ? device_descriptor(9, 1, 0x1D6B, 0x0002, 0x0601, false)
                : device_descriptor(9, 1, 0x05E3, 0x0610, 0x0100, false);
}

std::vector<std::uint8_t> hub_config_descriptor() {
    std::vector<std::uint8_t> out{9, 2, 0, 0, 1, 1, 0, 0xE0, 0};
    out.insert(out.end(), {9, 4, 0, 0, 1, 9, 0, 0, 0});
    put_endpoint(out, 0x81, 3, 4, 12);
    finish_config(out);
    return out;
}

std::vector<std::uint8_t> string_descriptor(std::string_view text) {
    std::vector<std::uint8_t> out{0, 3};
    for (char c : text.substr(0, 126)) {
        auto unit = static_cast<unsigned char>(c);
        put16(out, unit < 0x80 ? unit : '?');
    }
    out[0] = static_cast<std::uint8_t>(out.size());
    return out;
}

std::vector<std::uint8_t> language_descriptor() {
    return {4, 3, 0x09, 0x04};
}  // en-US

std::optional<std::vector<std::uint8_t>> camera_string(const UsbIdentity& identity,
                                                       std::uint8_t index) {
    switch (index) {
        case 0:
            return language_descriptor();
        case 1:
            return string_descriptor(identity.manufacturer);
        case 2:
            return string_descriptor(identity.product);
        case 3:
            return string_descriptor(identity.serial);
        default:
            return std::nullopt;
    }
}

}  // namespace cradle::hw::sim::usb
