// SPDX-License-Identifier: Apache-2.0
// The USB cradle's wiring that needs no USB device: bays from the bay map, lights and port
// power routed to the bay's LEDs and hub port, and a start that refuses to run without a
// camera driver. The event thread starts and stops cleanly on an empty bus. Cameras arriving
// and leaving are exercised on emulated USB devices in the integration tests (label usb).
#include "hw/usb/usb_cradle.hpp"
#include "tests/support/file_text.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>

namespace cradle::hw::usb {
namespace {

namespace fs = std::filesystem;
using test::file_text;

class NoListener : public CradleListener {
  public:
    void camera_attached(int, const std::string&, std::shared_ptr<CameraDriver>) override {
        ++attached;
    }
    void camera_detached(int) override { ++detached; }
    int attached = 0;
    int detached = 0;
};

class UsbCradleTest : public ::testing::Test {
  protected:
    UsbCradleTest() {
        spec.leds_dir = sysfs.path() / "leds";
        spec.usb_devices_dir = sysfs.path() / "usb";
        spec.bays = {{1, "1-1.1", "1-1.1", "", "bay1:green", ""},
                     {2, "1-1.2", "1-1.2", "bay2:red", "", ""}};
        for (const char* led : {"bay1:green", "bay2:red"}) {
            fs::create_directories(spec.leds_dir / led);
            for (const char* attribute : {"brightness", "trigger", "max_brightness"})
                std::ofstream(spec.leds_dir / led / attribute) << "1\n";
        }
        const fs::path port = spec.usb_devices_dir / "1-1" / "1-1:1.0" / "1-1-port2";
        fs::create_directories(port);
        std::ofstream(port / "disable") << "0\n";
        options.log = [this](bay::LogLevel, int bay, const std::string& message) {
            log.push_back(std::to_string(bay) + ": " + message);
        };
    }
    test::TempDir sysfs;
    UsbCradleSpec spec;
    UsbCradleOptions options;
    std::vector<std::string> log;
};

TEST_F(UsbCradleTest, BaysAreThoseOfTheBayMap) {
    const UsbCradle cradle(spec, options);
    EXPECT_EQ(cradle.bay_count(), 2);
}

TEST_F(UsbCradleTest, LightGoesToTheBaysOwnLeds) {
    UsbCradle cradle(spec, options);
    cradle.set_light(1, BayLight::ready);
    cradle.set_light(2, BayLight::needs_custodian);
    EXPECT_EQ(file_text(spec.leds_dir / "bay1:green" / "brightness"), "1\n");
    EXPECT_EQ(file_text(spec.leds_dir / "bay2:red" / "trigger"), "none\n");
    cradle.set_light(2, BayLight::off);
    EXPECT_EQ(file_text(spec.leds_dir / "bay2:red" / "brightness"), "0\n");
    EXPECT_TRUE(log.empty());
}

TEST_F(UsbCradleTest, BayOutsideTheMapIsIgnored) {
    UsbCradle cradle(spec, options);
    cradle.set_light(0, BayLight::ready);
    cradle.set_light(3, BayLight::ready);
    cradle.set_port_power(3, false);
    EXPECT_TRUE(log.empty());
}

TEST_F(UsbCradleTest, PortPowerSwitchesTheBaysHubPort) {
    UsbCradle cradle(spec, options);
    cradle.set_port_power(2, false);
    EXPECT_EQ(file_text(spec.usb_devices_dir / "1-1" / "1-1:1.0" / "1-1-port2" / "disable"), "1\n");
    cradle.set_port_power(2, true);
    EXPECT_EQ(file_text(spec.usb_devices_dir / "1-1" / "1-1:1.0" / "1-1-port2" / "disable"), "0\n");
}

TEST_F(UsbCradleTest, PortWithoutASwitchBeforeStartIsLogged) {
    UsbCradle cradle(spec, options);
    cradle.set_port_power(1, false);
    ASSERT_EQ(log.size(), 1u);
    EXPECT_EQ(log[0].rfind("1: cannot switch port 1-1.1 power off", 0), 0u) << log[0];
}

TEST_F(UsbCradleTest, StartWithoutACameraDriverIsRefused) {
    UsbCradle cradle(spec, options);
    NoListener listener;
    EXPECT_THROW(cradle.start(listener), UsbError);
}

TEST(UsbContextTest, StopEndsTheEventThreadWithoutWaitingForItsTimeout) {
    std::shared_ptr<LibusbContext> libusb;
    try {
        libusb = LibusbContext::create();
    } catch (const UsbError& e) {
        GTEST_SKIP() << "libusb cannot start here: " << e.what();
    }
    if (libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG) == 0)
        GTEST_SKIP() << "this libusb has no hotplug support";
    UsbContext usb(libusb);
    usb.start([](HotplugEvent, const DeviceRef&) {});
    const auto before = std::chrono::steady_clock::now();
    usb.stop();
    // The event loop's own timeout is 1 s; an interrupted loop ends long before.
    EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::milliseconds(500));
    usb.stop();  // idempotent
}

}  // namespace
}  // namespace cradle::hw::usb
