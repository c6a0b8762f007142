// SPDX-License-Identifier: Apache-2.0
// Cameras offloaded through the production USB path: UsbCradle and the PTP driver over libusb,
// talking to emulated cameras on an emulated bus, driven by the service core. Each test is
// short: the emulated device nodes make libusb poll busily while transfers are pending.
#include "tests/faults/rig.hpp"
#include "tests/usb/usb_rig.hpp"

#include "common/sha256.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <ostream>
#include <set>

namespace cradle::test {
namespace {

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
    EXPECT_EQ(join_problems(rig.not_archived_and_wiped()), "") << rig.log_text();
    EXPECT_EQ(join_problems(rig.invariant_problems()), "");
}

TEST(UsbOffload, CameraYankedMidTransferLosesNothingAndResumesWhenPluggedBackIn) {
    UsbRig rig(2, 4);
    rig.camera(0).faults.yank_at_byte = 100 << 10;
    auto first = rig.run();
    EXPECT_FALSE(rig.usb().plugged(0)) << "the yanked camera is still on the bus";
    const auto* yanked = report_in(first, 1);
    ASSERT_NE(yanked, nullptr) << rig.log_text();
    EXPECT_EQ(yanked->wiped, 0u) << yanked->outcome;
    EXPECT_EQ(join_problems(rig.loss_problems()), "");
    expect_ready_and_wiped(first, 2, 4);

    rig.usb().spec(0).faults = {};
    rig.usb().plug(0);
    auto second = rig.run();
    expect_ready_and_wiped(second, 1, 4);
    EXPECT_EQ(join_problems(rig.not_archived_and_wiped()), "") << rig.log_text();
    EXPECT_EQ(join_problems(rig.invariant_problems()), "");
}

TEST(UsbOffload, SingleStallIsClearedAndTheDockCompletes) {
    UsbRig rig(1, 3);
    rig.ptp_faults(0).stall_bulk_in_at_op = 6;
    auto reports = rig.run();
    expect_ready_and_wiped(reports, 1, 3);
    EXPECT_FALSE(rig.usb().responder(0).halted(hw::ptp::Endpoint::bulk_in));
    EXPECT_EQ(join_problems(rig.invariant_problems()), "") << rig.log_text();
}

TEST(UsbOffload, StallThatComesBackFaultsOnlyItsBayAndWipesNothing) {
    UsbRig rig(2, 3);
    rig.ptp_faults(0).stall_bulk_in_at_op = 6;
    rig.ptp_faults(0).stall_bulk_in_for_good = true;
    auto first = rig.run();
    const auto* stalled = report_in(first, 1);
    ASSERT_NE(stalled, nullptr) << rig.log_text();
    EXPECT_NE(stalled->outcome.find("stalled"), std::string::npos) << stalled->outcome;
    EXPECT_NE(stalled->outcome.find("again after the halt was cleared"), std::string::npos)
        << stalled->outcome;
    EXPECT_EQ(stalled->wiped, 0u);
    EXPECT_FALSE(rig.usb().responder(0).halted(hw::ptp::Endpoint::bulk_in));
    expect_ready_and_wiped(first, 2, 3);
    EXPECT_EQ(join_problems(rig.loss_problems()), "");
}

TEST(UsbOffload, DeviceBusyIsRetriedAndTheOffloadCompletes) {
    UsbRig rig(1, 3);
    rig.ptp_faults(0).busy_responses = 3;
    auto reports = rig.run();
    expect_ready_and_wiped(reports, 1, 3);
    EXPECT_EQ(join_problems(rig.invariant_problems()), "") << rig.log_text();
}

TEST(UsbOffload, CameraThatStopsAnsweringTimesOutAloneAndKeepsItsFootage) {
    UsbRig rig(2, 3);
    rig.config.device_timeout = std::chrono::milliseconds(700);
    rig.config.copy.device_timeout = std::chrono::milliseconds(700);
    rig.camera(0).faults.hang_at_op = 5;
    auto reports = rig.run();
    const auto* hung = report_in(reports, 1);
    ASSERT_NE(hung, nullptr) << rig.log_text();
    EXPECT_EQ(hung->light, hw::BayLight::needs_custodian) << hung->outcome;
    EXPECT_EQ(hung->wiped, 0u);
    expect_ready_and_wiped(reports, 2, 3);
    EXPECT_EQ(join_problems(rig.loss_problems()), "");
}

}  // namespace
}  // namespace cradle::test

namespace cradle::test {
namespace {

std::string sha256_of(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    Sha256 hash;
    std::vector<char> buffer(1 << 16);
    while (in.read(buffer.data(), static_cast<std::streamsize>(buffer.size())) || in.gcount() > 0)
        hash.update(std::as_bytes(std::span(buffer.data(), static_cast<std::size_t>(in.gcount()))));
    return hash.hex_digest();
}

// The originals of `serial` whose bytes are nowhere in the archive, whatever their names.
std::vector<std::string> missing_from_archive(const UsbRig& rig, const std::string& serial) {
    std::set<std::string> archived;
    const auto archive = rig.state / "archive";
    if (std::filesystem::exists(archive))
        for (const auto& entry : std::filesystem::recursive_directory_iterator(archive))
            if (entry.is_regular_file()) archived.insert(sha256_of(entry.path()));
    std::vector<std::string> missing;
    for (const auto& original : rig.before.recordings)
        if (original.serial == serial && archived.count(original.sha256_hex) == 0)
            missing.push_back(original.name);
    return missing;
}

// A camera that sends hostile PTP data. Where the data is harmful, its bay alone needs the
// custodian, with the reason; where the driver can take it safely, the camera is offloaded.
struct HostileCase {
    const char* name;
    void (*apply)(hw::sim::PtpFaults&);
    const char* reason;  // nullptr: the camera is offloaded in full
    // The fault is in a step before the offload: the camera is offloaded in full and not
    // ready, for `reason` (I7).
    bool collected_not_ready = false;
};

void PrintTo(const HostileCase& hostile_case, std::ostream* out) {
    *out << hostile_case.name;
}

class HostileUsbCamera : public ::testing::TestWithParam<HostileCase> {};

TEST_P(HostileUsbCamera, TheOtherBaysFinishAndNothingIsLost) {
    const auto& hostile_case = GetParam();
    UsbRig rig(3, 3);
    hostile_case.apply(rig.ptp_faults(1));
    auto reports = rig.run();
    expect_ready_and_wiped(reports, 1, 3);
    expect_ready_and_wiped(reports, 3, 3);
    const auto* hostile = report_in(reports, 2);
    ASSERT_NE(hostile, nullptr) << rig.log_text();
    if (hostile_case.collected_not_ready) {
        EXPECT_EQ(hostile->light, hw::BayLight::not_ready) << hostile->outcome;
        EXPECT_NE(hostile->outcome.find(hostile_case.reason), std::string::npos)
            << hostile->outcome;
        EXPECT_EQ(hostile->wiped, 3u) << hostile->outcome;
    } else if (hostile_case.reason != nullptr) {
        EXPECT_EQ(hostile->light, hw::BayLight::needs_custodian) << hostile->outcome;
        EXPECT_NE(hostile->outcome.find("needs custodian"), std::string::npos) << hostile->outcome;
        EXPECT_NE(hostile->outcome.find(hostile_case.reason), std::string::npos)
            << hostile->outcome;
        EXPECT_EQ(hostile->wiped, 0u);
    } else {
        EXPECT_EQ(hostile->light, hw::BayLight::ready) << hostile->outcome;
        EXPECT_EQ(hostile->wiped, 3u) << hostile->outcome;
    }
    if (std::string(hostile_case.name) == "traversal_names") {
        // The device renames its recordings, so the checker cannot match them by name; their
        // bytes must all be in the archive, and nothing may be written outside it.
        EXPECT_EQ(join_problems(missing_from_archive(rig, "USB-2")), "");
        std::vector<std::string> other_problems;
        for (const auto& problem : rig.loss_problems())
            if (problem.rfind("USB-2 '", 0) != 0 || problem.find("LOST") == std::string::npos)
                other_problems.push_back(problem);
        EXPECT_EQ(join_problems(other_problems), "");
    } else {
        EXPECT_EQ(join_problems(rig.invariant_problems()), "") << rig.log_text();
    }
}

INSTANTIATE_TEST_SUITE_P(
    Faults, HostileUsbCamera,
    ::testing::Values(
        HostileCase{"lying_data_length", [](hw::sim::PtpFaults& f) { f.lie_data_length = true; },
                    "in a data container that declares"},
        HostileCase{"million_handles", [](hw::sim::PtpFaults& f) { f.claim_handles = 1000000; },
                    "1000000 objects"},
        HostileCase{"bad_datetime", [](hw::sim::PtpFaults& f) { f.bad_datetime = true; },
                    "does not parse", /*collected_not_ready=*/true},
        HostileCase{"unknown_data_length",
                    [](hw::sim::PtpFaults& f) { f.unknown_data_length = true; }, nullptr},
        HostileCase{"traversal_names", [](hw::sim::PtpFaults& f) { f.traversal_names = true; },
                    nullptr},
        HostileCase{"size_4gib_minus_1", [](hw::sim::PtpFaults& f) { f.size_4gib_minus_1 = true; },
                    nullptr},
        HostileCase{"endless_events", [](hw::sim::PtpFaults& f) { f.endless_events = true; },
                    nullptr},
        HostileCase{"stale_response", [](hw::sim::PtpFaults& f) { f.stale_response_first = true; },
                    nullptr}),
    [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace cradle::test
