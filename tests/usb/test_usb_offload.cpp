// Cameras offloaded through the production USB path: UsbCradle and the PTP driver over libusb,
// talking to emulated cameras on an emulated bus, driven by the service core. Each test is
// short: the emulated device nodes make libusb poll busily while transfers are pending.
#include "tests/faults/rig.hpp"
#include "tests/usb/usb_rig.hpp"

#include <gtest/gtest.h>

namespace cradle::test {
namespace {

std::string log_text(const UsbRig& rig) {
    std::string text;
    for (const auto& line : rig.log_lines()) text += line + "\n";
    return text;
}

void expect_ready_and_wiped(const std::vector<DockReport>& reports, int bay, std::size_t count) {
    bool found = false;
    for (const auto& report : reports) {
        if (report.bay != bay) continue;
        found = true;
        EXPECT_EQ(report.wiped, count) << "bay " << bay << ": " << report.outcome;
        EXPECT_EQ(report.light, hw::BayLight::ready) << "bay " << bay << ": " << report.outcome;
    }
    EXPECT_TRUE(found) << "no report for bay " << bay;
}

const DockReport* report_in(const std::vector<DockReport>& reports, int bay) {
    const DockReport* last = nullptr;
    for (const auto& report : reports)
        if (report.bay == bay) last = &report;
    return last;
}

TEST(UsbOffload, SeveralCamerasInMappedBaysAreArchivedAndWiped) {
    UsbRig rig(3, 4);
    auto reports = rig.run();
    for (int bay = 1; bay <= 3; ++bay) expect_ready_and_wiped(reports, bay, 4);
    EXPECT_EQ(join_problems(rig.not_archived_and_wiped()), "") << log_text(rig);
    EXPECT_EQ(join_problems(rig.invariant_problems()), "");
}

TEST(UsbOffload, CameraYankedMidTransferLosesNothingAndResumesWhenPluggedBackIn) {
    UsbRig rig(2, 4);
    rig.camera(0).faults.yank_at_byte = 100 << 10;
    auto first = rig.run();
    EXPECT_FALSE(rig.usb().plugged(0)) << "the yanked camera is still on the bus";
    const auto* yanked = report_in(first, 1);
    ASSERT_NE(yanked, nullptr) << log_text(rig);
    EXPECT_EQ(yanked->wiped, 0u) << yanked->outcome;
    EXPECT_EQ(join_problems(rig.loss_problems()), "");
    expect_ready_and_wiped(first, 2, 4);

    rig.usb().spec(0).faults = {};
    rig.usb().plug(0);
    auto second = rig.run();
    expect_ready_and_wiped(second, 1, 4);
    EXPECT_EQ(join_problems(rig.not_archived_and_wiped()), "") << log_text(rig);
    EXPECT_EQ(join_problems(rig.invariant_problems()), "");
}

TEST(UsbOffload, StallIsClearedAndTheNextDockCompletes) {
    UsbRig rig(2, 3);
    rig.ptp_faults(0).stall_bulk_in_at_op = 6;
    auto first = rig.run();
    const auto* stalled = report_in(first, 1);
    ASSERT_NE(stalled, nullptr) << log_text(rig);
    EXPECT_NE(stalled->outcome.find("stalled"), std::string::npos) << stalled->outcome;
    EXPECT_NE(stalled->outcome.find("halt cleared"), std::string::npos) << stalled->outcome;
    EXPECT_EQ(stalled->wiped, 0u);
    EXPECT_FALSE(rig.usb().responder(0).halted(hw::ptp::Endpoint::bulk_in));
    expect_ready_and_wiped(first, 2, 3);
    EXPECT_EQ(join_problems(rig.loss_problems()), "");

    // Same device, same port: the link works again.
    auto second = rig.run();
    expect_ready_and_wiped(second, 1, 3);
    EXPECT_EQ(join_problems(rig.invariant_problems()), "") << log_text(rig);
}

TEST(UsbOffload, DeviceBusyIsRetriedAndTheOffloadCompletes) {
    UsbRig rig(1, 3);
    rig.ptp_faults(0).busy_responses = 3;
    auto reports = rig.run();
    expect_ready_and_wiped(reports, 1, 3);
    EXPECT_EQ(join_problems(rig.invariant_problems()), "") << log_text(rig);
}

TEST(UsbOffload, CameraThatStopsAnsweringTimesOutAloneAndKeepsItsFootage) {
    UsbRig rig(2, 3);
    rig.config.device_timeout = std::chrono::milliseconds(700);
    rig.config.copy.device_timeout = std::chrono::milliseconds(700);
    rig.camera(0).faults.hang_at_op = 5;
    auto reports = rig.run();
    const auto* hung = report_in(reports, 1);
    ASSERT_NE(hung, nullptr) << log_text(rig);
    EXPECT_EQ(hung->light, hw::BayLight::needs_custodian) << hung->outcome;
    EXPECT_EQ(hung->wiped, 0u);
    expect_ready_and_wiped(reports, 2, 3);
    EXPECT_EQ(join_problems(rig.loss_problems()), "");
}

}  // namespace
}  // namespace cradle::test
