// SPDX-License-Identifier: Apache-2.0
// Bay port power against the emulated hub: the production PortPower writes the hub port's
// sysfs `disable` file, and the emulated camera in that port goes away and comes back as a
// power cycle would make it.
#include "hw/bay/port_power.hpp"
#include "hw/port_path.hpp"
#include "hw/usb/hub_port_switch.hpp"
#include "sim/umockdev/emulated_usb_cameras.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/usb/libusb_handles.hpp"

#include <gtest/gtest.h>

namespace cradle::test {
namespace {

using namespace std::chrono_literals;

TEST(EmulatedHubPortPower, SwitchingThePortOffAndOnUnplugsAndReplugsTheCamera) {
    TempDir temp;
    hw::sim::usb::EmulatedUsbCameras cameras(hw::sim::usb::demo_camera_specs(2, 1, 64 << 10),
                                             temp.path() / "cameras");
    const std::string first_node = cameras.bus().device_node(2);
    auto port = hw::usb::parse_port_path("1-1.2");
    ASSERT_TRUE(port);
    std::vector<std::string> log;
    hw::bay::PortPower power(
        "/sys/bus/usb/devices", *port, 2, nullptr,
        [&](hw::bay::LogLevel, int, const std::string& text) { log.push_back(text); });
    ASSERT_TRUE(power.disable_file()) << "the emulated hub has no switch for port 2";

    ASSERT_TRUE(power.set(false)) << (log.empty() ? "" : log.back());
    EXPECT_TRUE(cameras.wait_until_plugged(1, false, 5s)) << "the camera stayed on the bus";
    EXPECT_FALSE(cameras.bus().port_powered(2));
    EXPECT_TRUE(cameras.plugged(0)) << "another port lost its camera";

    ASSERT_TRUE(power.set(true));
    EXPECT_TRUE(cameras.wait_until_plugged(1, true, 5s)) << "the camera did not come back";
    EXPECT_TRUE(cameras.bus().port_powered(2));
    // Back with a new device number, as after a real power cycle.
    EXPECT_NE(cameras.bus().device_node(2), first_node);
}

// A hub without sysfs port switches (kernels before 6.0): PortPower falls back to the hub class
// request PORT_POWER, sent through libusb to the hub's device node.
TEST(EmulatedHubPortPower, WithoutDisableFilesTheHubClassRequestSwitchesThePort) {
    TempDir temp;
    hw::sim::usb::EmulatedUsbCameras cameras(hw::sim::usb::demo_camera_specs(2, 1, 64 << 10),
                                             temp.path() / "cameras", {},
                                             hw::sim::usb::HubPortSwitching::class_requests);
    const std::string first_node = cameras.bus().device_node(2);
    hw::usb::LibusbHubPortSwitch hub(hw::usb::LibusbContext::create());
    auto port = hw::usb::parse_port_path("1-1.2");
    ASSERT_TRUE(port);
    std::vector<std::string> log;
    hw::bay::PortPower power(
        "/sys/bus/usb/devices", *port, 2, &hub,
        [&](hw::bay::LogLevel, int, const std::string& text) { log.push_back(text); });
    ASSERT_FALSE(power.disable_file()) << "the hub offers a sysfs switch after all";

    ASSERT_TRUE(power.set(false)) << (log.empty() ? "" : log.back());
    EXPECT_TRUE(cameras.wait_until_plugged(1, false, 5s)) << "the camera stayed on the bus";
    EXPECT_FALSE(cameras.bus().port_powered(2));
    EXPECT_TRUE(cameras.plugged(0)) << "another port lost its camera";

    ASSERT_TRUE(power.set(true)) << (log.empty() ? "" : log.back());
    EXPECT_TRUE(cameras.wait_until_plugged(1, true, 5s)) << "the camera did not come back";
    EXPECT_TRUE(cameras.bus().port_powered(2));
    EXPECT_NE(cameras.bus().device_node(2), first_node);
}

TEST(EmulatedHubPortPower, LibusbSeesThePowerCycleAsDepartureAndArrival) {
    TempDir temp;
    hw::sim::usb::EmulatedUsbCameras cameras(hw::sim::usb::demo_camera_specs(1, 1, 64 << 10),
                                             temp.path() / "cameras");
    auto context = make_libusb_context();
    struct Seen {
        int arrived = 0;
        int left = 0;
    } seen;
    libusb_hotplug_callback_handle callback = 0;
    ASSERT_EQ(
        libusb_hotplug_register_callback(
            context.get(), LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED | LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT,
            LIBUSB_HOTPLUG_NO_FLAGS, LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY,
            LIBUSB_HOTPLUG_MATCH_ANY,
            [](libusb_context*, libusb_device*, libusb_hotplug_event event, void* data) {
                auto& seen = *static_cast<Seen*>(data);
                (event == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED ? seen.arrived : seen.left)++;
                return 0;
            },
            &seen, &callback),
        0);
    auto port = hw::usb::parse_port_path("1-1.1");
    ASSERT_TRUE(port);
    hw::bay::PortPower power("/sys/bus/usb/devices", *port, 1, nullptr, {});
    // Off and at once on again, as the daemon power-cycles a camera.
    ASSERT_TRUE(power.set(false));
    ASSERT_TRUE(power.set(true));
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while ((seen.left < 1 || seen.arrived < 1) && std::chrono::steady_clock::now() < deadline) {
        timeval tick{0, 10000};
        libusb_handle_events_timeout_completed(context.get(), &tick, nullptr);
    }
    EXPECT_EQ(seen.left, 1);
    EXPECT_EQ(seen.arrived, 1);
    libusb_hotplug_deregister_callback(context.get(), callback);
}

}  // namespace
}  // namespace cradle::test
