// SPDX-License-Identifier: Apache-2.0
// A USB port path: the bus number and the chain of hub ports from the root hub down to a
// device, written as Linux names it in sysfs ("1-1.3": bus 1, root port 1, then port 3). It
// names a physical socket, so it is what the bay map keys bays by.
//
// Header-only so that the configuration loader can validate port paths without linking libusb.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cradle::hw::usb {

// USB 3 allows seven tiers of hubs below the root hub.
inline constexpr std::size_t max_port_depth = 7;

struct PortPath {
    std::uint8_t bus = 0;             // 1..255
    std::vector<std::uint8_t> ports;  // 1..max_port_depth entries, each 1..255

    friend bool operator==(const PortPath&, const PortPath&) = default;
};

inline std::string format_port_path(std::uint8_t bus, const std::vector<std::uint8_t>& ports) {
    std::string text = std::to_string(bus);
    for (std::size_t i = 0; i < ports.size(); ++i) {
        text += i == 0 ? '-' : '.';
        text += std::to_string(ports[i]);
    }
    return text;
}

inline std::string format_port_path(const PortPath& path) {
    return format_port_path(path.bus, path.ports);
}

// Parses "B-P1.P2…"; nothing for anything else (leading zeros, signs, spaces, zero, > 255).
inline std::optional<PortPath> parse_port_path(std::string_view text) {
    const auto number = [](std::string_view digits) -> std::optional<std::uint8_t> {
        if (digits.empty() || digits.size() > 3 || digits.front() == '0') return std::nullopt;
        unsigned value = 0;
        for (const char c : digits) {
            if (c < '0' || c > '9') return std::nullopt;
            value = value * 10 + static_cast<unsigned>(c - '0');
        }
        if (value > 255) return std::nullopt;
        return static_cast<std::uint8_t>(value);
    };
    const std::size_t dash = text.find('-');
    if (dash == std::string_view::npos) return std::nullopt;
    PortPath path;
    const auto bus = number(text.substr(0, dash));
    if (!bus) return std::nullopt;
    path.bus = *bus;
    std::string_view rest = text.substr(dash + 1);
    for (;;) {
        const std::size_t dot = rest.find('.');
        const auto port = number(rest.substr(0, dot));
        if (!port || path.ports.size() == max_port_depth) return std::nullopt;
        path.ports.push_back(*port);
        if (dot == std::string_view::npos) break;
        rest = rest.substr(dot + 1);
    }
    return path;
}

// The hub a port belongs to, as sysfs names the hub's device: "usbB" for the root hub, else
// the hub's own port path. The port is the last number of the chain.
inline std::string hub_device_name(const PortPath& port) {
    if (port.ports.size() <= 1) return "usb" + std::to_string(port.bus);
    PortPath hub = port;
    hub.ports.pop_back();
    return format_port_path(hub);
}

}  // namespace cradle::hw::usb
