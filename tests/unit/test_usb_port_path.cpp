// SPDX-License-Identifier: Apache-2.0
// Port paths: written as Linux names the device in sysfs, parsed strictly, and the hub a port
// belongs to.
#include "hw/port_path.hpp"

#include <gtest/gtest.h>

namespace cradle::hw::usb {
namespace {

TEST(PortPath, IsBusDashThenPortsJoinedByDots) {
    EXPECT_EQ(format_port_path(1, {1, 3}), "1-1.3");
    EXPECT_EQ(format_port_path(2, {4}), "2-4");
    EXPECT_EQ(format_port_path(255, {1, 2, 3, 4, 5, 6, 7}), "255-1.2.3.4.5.6.7");
}

TEST(PortPath, ParsesWhatItFormats) {
    const PortPath path{3, {1, 12, 4}};
    EXPECT_EQ(parse_port_path(format_port_path(path)), path);
}

TEST(PortPath, RefusesAnythingButTheSysfsForm) {
    for (const char* text :
         {"",     "1",    "1-",   "-1",   "1-1.",    "1-.1",  "1-1..2",
          "0-1",  "1-0",  "01-1", "1-01", "256-1",   "1-256", "1-1.2.3.4.5.6.7.8",
          " 1-1", "1-1 ", "1:1",  "usb1", "1-1:1.0", "+1-1",  "1-a"}) {
        EXPECT_EQ(parse_port_path(text), std::nullopt) << text;
    }
}

TEST(PortPath, HubOfARootPortIsTheRootHub) {
    EXPECT_EQ(hub_device_name(*parse_port_path("2-3")), "usb2");
}

TEST(PortPath, HubOfADeeperPortIsThePathWithoutItsLastPort) {
    EXPECT_EQ(hub_device_name(*parse_port_path("1-1.4.2")), "1-1.4");
}

}  // namespace
}  // namespace cradle::hw::usb
