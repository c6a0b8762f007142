// Bay port power against the emulated hub: the production PortPower writes the hub port's
// sysfs `disable` file, and the emulated camera in that port goes away and comes back as a
// power cycle would make it.
#include "hw/bay/port_power.hpp"
#include "hw/sim/umockdev/emulated_usb_cameras.hpp"
#include "hw/usb/port_path.hpp"
#include "tests/support/temp_dir.hpp"

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

}  // namespace
}  // namespace cradle::test
