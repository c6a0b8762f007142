// SPDX-License-Identifier: Apache-2.0
// A camera that stops answering, end to end on the USB path: the service power-cycles its bay
// through UsbCradle and PortPower, which switch the emulated hub's port through its sysfs
// `disable` file or the hub class request; the camera leaves the bus, docks again and is
// offloaded in full.
#include "tests/faults/rig.hpp"
#include "tests/usb/usb_rig.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <ostream>

namespace cradle::test {
namespace {

using namespace std::chrono_literals;

bool ended(const std::vector<hw::BayLight>& lights) {
    return !lights.empty() &&
           (lights.back() == hw::BayLight::ready || lights.back() == hw::BayLight::needs_custodian);
}

std::size_t count(const std::vector<hw::BayLight>& lights, hw::BayLight light) {
    return static_cast<std::size_t>(std::count(lights.begin(), lights.end(), light));
}

// Through the hub port's sysfs `disable` file, and (a hub on a kernel without those files)
// through the hub class request PORT_POWER.
std::string switching_name(hw::sim::usb::HubPortSwitching switching) {
    return switching == hw::sim::usb::HubPortSwitching::disable_files ? "DisableFile"
                                                                      : "ClassRequest";
}

}  // namespace
}  // namespace cradle::test

namespace cradle::hw::sim::usb {
void PrintTo(HubPortSwitching switching, std::ostream* out) {
    *out << test::switching_name(switching);
}
}  // namespace cradle::hw::sim::usb

namespace cradle::test {
namespace {

class UsbPowerCycle : public ::testing::TestWithParam<hw::sim::usb::HubPortSwitching> {};

TEST_P(UsbPowerCycle, CameraThatStopsAnsweringIsPowerCycledThroughItsHubPortAndOffloaded) {
    UsbRig rig(3, 3);
    rig.hub_switching = GetParam();
    rig.config.device_timeout = 400ms;
    rig.config.copy.device_timeout = 400ms;
    rig.camera(0).faults.hang_at_op = 5;
    rig.plug_in();
    const std::string first_node = rig.usb().bus().device_node(1);

    std::atomic<int> switched_off{0};
    std::atomic<int> switched_on{0};
    UsbRig::RunUntil until;
    until.before_port_power = [&](int bay, bool on) {
        (on ? switched_on : switched_off)++;
        // A real camera comes back from a power cycle working; this one comes back without
        // the fault that made it stop answering.
        if (!on && bay == 1) rig.usb().set_faults(0, {}, {});
    };
    // Bay 1 docks twice (working, then ready after the power cycle); the others once.
    until.done = [](const UsbRig::LightHistory& lights) {
        for (int bay = 1; bay <= 3; ++bay) {
            auto it = lights.find(bay);
            if (it == lights.end() || !ended(it->second)) return false;
        }
        const auto& first = lights.at(1);
        return count(first, hw::BayLight::working) >= 2 && first.back() == hw::BayLight::ready;
    };
    auto result = rig.run_until(until);
    ASSERT_TRUE(result.done) << "the power-cycled camera did not dock again and finish\n"
                             << rig.log_text();

    EXPECT_EQ(switched_off.load(), 1);
    EXPECT_EQ(switched_on.load(), 1);
    EXPECT_TRUE(rig.usb().bus().port_powered(1));
    EXPECT_TRUE(rig.usb().plugged(0));
    // It left the bus and came back: a new device number, and the bay went dark in between.
    EXPECT_NE(rig.usb().bus().device_node(1), first_node);
    const auto& bay1 = result.lights.at(1);
    EXPECT_EQ(count(bay1, hw::BayLight::needs_custodian), 1u) << rig.log_text();
    EXPECT_GE(count(bay1, hw::BayLight::off), 1u) << rig.log_text();
    for (int bay = 2; bay <= 3; ++bay) {
        EXPECT_EQ(result.lights.at(bay).back(), hw::BayLight::ready) << "bay " << bay;
        EXPECT_EQ(count(result.lights.at(bay), hw::BayLight::working), 1u) << "bay " << bay;
    }

    // The first dock of bay 1 timed out and wiped nothing; its report is in before the power
    // cycle starts.
    bool timed_out = false;
    for (const auto& report : result.reports) {
        if (report.bay != 1 || !report.device_timed_out) continue;
        timed_out = true;
        EXPECT_EQ(report.wiped, 0u) << report.outcome;
    }
    EXPECT_TRUE(timed_out) << rig.log_text();
    const auto lines = rig.log_lines();
    EXPECT_TRUE(std::any_of(lines.begin(), lines.end(), [](const std::string& line) {
        return line.find("power-cycling") != std::string::npos;
    })) << rig.log_text();

    EXPECT_EQ(join_problems(rig.not_archived_and_wiped()), "") << rig.log_text();
    EXPECT_EQ(join_problems(rig.invariant_problems()), "") << rig.log_text();
}

INSTANTIATE_TEST_SUITE_P(Hub, UsbPowerCycle,
                         ::testing::Values(hw::sim::usb::HubPortSwitching::disable_files,
                                           hw::sim::usb::HubPortSwitching::class_requests),
                         [](const auto& info) { return switching_name(info.param); });

}  // namespace
}  // namespace cradle::test
