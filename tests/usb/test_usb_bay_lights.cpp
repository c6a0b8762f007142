// SPDX-License-Identifier: Apache-2.0
// Bay lights on the USB path: LEDs named in the bay map, driven by UsbCradle through the Linux
// LED class of the emulated system (/sys/class/leds), follow a camera's dock.
#include "tests/faults/rig.hpp"
#include "tests/usb/usb_rig.hpp"

#include "hw/bay/sysfs_attribute.hpp"

#include <gtest/gtest.h>

namespace cradle::test {
namespace {

using namespace std::chrono_literals;

// What an LED shows, from its attributes: "off", "on" or "blink <on>/<off>".
std::string led_state(const std::string& name) {
    const std::filesystem::path dir = std::filesystem::path("/sys/class/leds") / name;
    const auto trigger = hw::bay::read_attribute(dir / "trigger").value_or("?");
    if (trigger == "timer")
        return "blink " + hw::bay::read_attribute(dir / "delay_on").value_or("?") + "/" +
               hw::bay::read_attribute(dir / "delay_off").value_or("?");
    const auto brightness = hw::bay::read_attribute(dir / "brightness").value_or("?");
    if (brightness == "0") return "off";
    if (brightness == "1") return "on";
    return "brightness " + brightness + ", trigger " + trigger;
}

struct BayLeds {
    std::string red, green, amber;
};

std::string bay_state(const BayLeds& leds) {
    std::string state = "red " + led_state(leds.red) + ", green " + led_state(leds.green);
    if (!leds.amber.empty()) state += ", amber " + led_state(leds.amber);
    return state;
}

bool ended(const UsbRig::LightHistory& lights, int bay) {
    auto it = lights.find(bay);
    return it != lights.end() && (it->second.back() == hw::BayLight::ready ||
                                  it->second.back() == hw::BayLight::needs_custodian);
}

TEST(UsbBayLights, LightsInTheEmulatedLedClassFollowTheDock) {
    UsbRig rig(2, 2);
    // Bay 2's camera claims a million recordings: its bay needs the custodian.
    rig.ptp_faults(1).claim_handles = 1000000;
    rig.plug_in();
    // Bay 1 has three LEDs; bay 2 a bi-colour one (amber is red and green together).
    const BayLeds bay1{"bay1:red", "bay1:green", "bay1:amber"};
    const BayLeds bay2{"bay2:red", "bay2:green", ""};
    for (const auto& name : {bay1.red, bay1.green, bay1.amber, bay2.red, bay2.green})
        rig.usb().bus().add_led(name);
    rig.usb_spec.leds_dir = "/sys/class/leds";
    rig.usb_spec.bays.at(0).led_red = bay1.red;
    rig.usb_spec.bays.at(0).led_green = bay1.green;
    rig.usb_spec.bays.at(0).led_amber = bay1.amber;
    rig.usb_spec.bays.at(1).led_red = bay2.red;
    rig.usb_spec.bays.at(1).led_green = bay2.green;
    ASSERT_EQ(bay_state(bay1), "red off, green off, amber off");

    // What the LEDs showed while each bay was working (the service is on its loop thread,
    // having just set the light).
    std::map<int, std::string> while_working;
    UsbRig::RunUntil until;
    until.done = [&](const UsbRig::LightHistory& lights) {
        for (const auto& [bay, history] : lights)
            if (history.back() == hw::BayLight::working && !while_working.count(bay))
                while_working[bay] = bay_state(bay == 1 ? bay1 : bay2);
        return ended(lights, 1) && ended(lights, 2);
    };
    auto result = rig.run_until(until);
    ASSERT_TRUE(result.done) << rig.log_text();

    EXPECT_EQ(while_working[1], "red off, green off, amber blink 500/500");
    EXPECT_EQ(while_working[2], "red blink 500/500, green blink 500/500");
    EXPECT_EQ(result.lights.at(1).back(), hw::BayLight::ready);
    EXPECT_EQ(bay_state(bay1), "red off, green on, amber off") << rig.log_text();
    EXPECT_EQ(result.lights.at(2).back(), hw::BayLight::needs_custodian);
    EXPECT_EQ(bay_state(bay2), "red on, green off") << rig.log_text();
    EXPECT_EQ(join_problems(rig.loss_problems()), "");
}

}  // namespace
}  // namespace cradle::test
