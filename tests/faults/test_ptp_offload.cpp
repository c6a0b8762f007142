// SPDX-License-Identifier: Apache-2.0
// The service over PTP: the emulated cradle hands the service the PTP driver talking to each
// camera's PTP device model, so the whole dock (identify, health, clock, listing, copy,
// verify, wipe) runs through the transaction engine as it would for a camera on USB. The
// invariants hold as they do with the cameras driven directly, and a hostile PTP device faults
// its own bay only, with a reason that says what it did.
#include "tests/faults/rig.hpp"

#include "core/catalog/catalog.hpp"

#include <gtest/gtest.h>

namespace cradle::test {
namespace {

// A rig whose cameras are driven over PTP.
struct PtpRig : Rig {
    explicit PtpRig(int cameras = 1, int recordings = 4, std::uint64_t bytes = 256 << 10)
        : Rig(cameras, recordings, bytes) {
        use_ptp();
    }
    std::vector<DockReport> run_without_ptp_faults() {
        for (auto& camera : spec.cameras) camera.ptp_faults = {};
        return run_clean();
    }
};

TEST(ServiceOverPtp, ArchivesVerifiesAndWipesEveryRecordingOfEveryBay) {
    PtpRig rig(3, 5);
    run_and_expect_every_bay_offloaded(rig, 3, 5);
}

TEST(ServiceOverPtp, ClockDriftIsCorrectedThroughDateTime) {
    PtpRig rig(1, 1);
    rig.camera(0).clock_offset_s = 420;
    auto report = report_for(rig.run(), 1);
    EXPECT_TRUE(report.clock_corrected);
    EXPECT_NEAR(static_cast<double>(report.clock_drift_ms), 420'000.0, 2'000.0);
    auto second = report_for(rig.run(), 1);
    EXPECT_FALSE(second.clock_corrected);
}

TEST(ServiceOverPtp, LinkFaultsThatTheEngineAbsorbsStillEndReady) {
    PtpRig rig(1, 3);
    auto& faults = rig.camera(0).ptp_faults;
    faults.busy_responses = 3;
    faults.unknown_data_length = true;
    faults.stale_response_first = true;
    faults.endless_events = true;
    faults.size_4gib_minus_1 = true;  // sizes come from ObjectSize
    auto report = report_for(rig.run(), 1);
    EXPECT_EQ(report.light, hw::BayLight::ready) << report.outcome;
    EXPECT_EQ(report.wiped, 3u);
    EXPECT_EQ(join_problems(rig.invariant_problems()), "");
}

// PTP's ObjectCompressedSize 0xFFFFFFFF says "4 GiB or more": an object that ends sooner was cut
// short by the camera. What arrived is archived; the object is kept on the camera, and a re-dock
// neither copies it twice nor wipes it. (The 4 GiB + 1 MiB recording is LargeRecordingOverPtp.)
TEST(ServiceOverPtp, ObjectsOfUnknownSizeThatEndBefore4GiBAreArchivedAndKept) {
    PtpRig rig(1, 3);
    auto& faults = rig.camera(0).ptp_faults;
    faults.size_4gib_minus_1 = true;  // "4 GiB or more"
    faults.no_object_size = true;     // and no ObjectSize to ask
    faults.unknown_data_length = true;
    // Its storage bounds each object; the archive needs that much free space.
    rig.camera(0).storage_total_bytes = 8ull << 30;
    auto report = report_for(rig.run(), 1);
    EXPECT_EQ(report.light, hw::BayLight::needs_custodian) << report.outcome;
    EXPECT_NE(report.outcome.find("ended before the size the camera gives them"), std::string::npos)
        << report.outcome;
    EXPECT_EQ(report.archived, 3u);
    EXPECT_EQ(report.wiped, 0u);
    EXPECT_EQ(report.archived_bytes, 256u << 10);
    // The catalog holds what arrived, not the bound.
    EXPECT_EQ(join_problems(rig.invariant_problems()), "");
    EXPECT_EQ(recordings_left_on_cameras(rig.spec).size(), 1u);

    auto again = report_for(rig.run(), 1);
    EXPECT_EQ(again.archived, 0u) << again.outcome;
    EXPECT_EQ(again.already_archived, 3u);
    EXPECT_EQ(again.wiped, 0u);
    EXPECT_EQ(join_problems(rig.invariant_problems()), "");
}

TEST(ServiceOverPtp, SingleStallIsClearedAndTheDockCompletes) {
    PtpRig rig(1, 3);
    rig.camera(0).ptp_faults.stall_bulk_in_at_op = 6;
    auto report = report_for(rig.run(), 1);
    EXPECT_EQ(report.light, hw::BayLight::ready) << report.outcome;
    EXPECT_EQ(report.archived, 3u);
    EXPECT_EQ(report.wiped, 3u);
    EXPECT_EQ(join_problems(rig.invariant_problems()), "");
    EXPECT_EQ(join_problems(rig.not_archived_and_wiped()), "");
}

TEST(ServiceOverPtp, StallInTheMiddleOfACopyIsClearedAndTheDockCompletes) {
    PtpRig rig(1, 3);
    rig.camera(0).ptp_faults.stall_bulk_in_at_data_byte = 100'000;
    auto report = report_for(rig.run(), 1);
    EXPECT_EQ(report.light, hw::BayLight::ready) << report.outcome;
    EXPECT_EQ(report.archived, 3u);
    EXPECT_EQ(report.wiped, 3u);
    EXPECT_EQ(join_problems(rig.invariant_problems()), "");
    EXPECT_EQ(join_problems(rig.not_archived_and_wiped()), "");
}

TEST(ServiceOverPtp, TraversalNamesAreArchivedUnderGeneratedPaths) {
    PtpRig rig(1, 2);
    rig.camera(0).ptp_faults.traversal_names = true;
    auto report = report_for(rig.run(), 1);
    EXPECT_EQ(report.light, hw::BayLight::ready) << report.outcome;
    EXPECT_EQ(report.archived, 2u);
    EXPECT_EQ(report.wiped, 2u);
    // The device reports other names than its storage holds, so the checker (which matches
    // by stored name) does not apply; the catalog shows what happened.
    Catalog catalog = Catalog::open_read_only(rig.state / "catalog.sqlite");
    const auto rows = catalog.recordings();
    ASSERT_EQ(rows.size(), 2u);
    for (const auto& row : rows) {
        EXPECT_EQ(row.key.name.rfind("../../etc/passwd-", 0), 0u) << row.key.name;
        EXPECT_EQ(row.archive_path.find(".."), std::string::npos) << row.archive_path;
        EXPECT_EQ(row.archive_path.find("passwd"), std::string::npos) << row.archive_path;
        EXPECT_TRUE(std::filesystem::exists(rig.state / "archive" / row.archive_path))
            << row.archive_path;
    }
    EXPECT_TRUE(
        hw::sim::stored_recordings(hw::sim::camera_dir(rig.spec.storage_dir, rig.camera(0).serial))
            .empty());
}

struct HostileCase {
    const char* name;
    void (*apply)(hw::sim::PtpFaults&);
    const char* reason;
};

class HostilePtpCamera : public ::testing::TestWithParam<HostileCase> {};

TEST_P(HostilePtpCamera, FaultsItsBayOnlyWithAPreciseReasonAndWipesNothing) {
    PtpRig rig(2, 3);
    GetParam().apply(rig.camera(0).ptp_faults);
    auto reports = rig.run();
    const auto& report = report_for(reports, 1);
    EXPECT_EQ(report.light, hw::BayLight::needs_custodian) << report.outcome;
    EXPECT_NE(report.outcome.find(GetParam().reason), std::string::npos) << report.outcome;
    EXPECT_EQ(report.wiped, 0u);
    expect_other_bays_done(reports, 1, 3);
    EXPECT_EQ(join_problems(rig.invariant_problems()), "");

    // The same camera, healthy again, is archived in full.
    rig.run_without_ptp_faults();
    EXPECT_EQ(join_problems(rig.invariant_problems()), "");
    EXPECT_EQ(join_problems(rig.not_archived_and_wiped()), "");
}

INSTANTIATE_TEST_SUITE_P(
    Faults, HostilePtpCamera,
    ::testing::Values(HostileCase{"LyingDataLength",
                                  [](hw::sim::PtpFaults& f) { f.lie_data_length = true; },
                                  "in a data container that declares"},
                      HostileCase{"MillionHandles",
                                  [](hw::sim::PtpFaults& f) { f.claim_handles = 1'000'000; },
                                  "camera lists 1000000 objects, more than the limit"},
                      HostileCase{"StallThatComesBackAfterTheHaltIsCleared",
                                  [](hw::sim::PtpFaults& f) {
                                      f.stall_bulk_in_at_op = 6;
                                      f.stall_bulk_in_for_good = true;
                                  },
                                  "stalled the bulk-in endpoint again after the halt was cleared"}),
    [](const ::testing::TestParamInfo<HostileCase>& info) { return info.param.name; });

// I7: a clock the cradle cannot read, or a health property sent malformed, makes the camera
// not ready; what it holds is collected all the same.
struct BrokenStep {
    const char* name;
    void (*apply)(hw::sim::PtpFaults&);
    const char* reason;  // in the not-ready verdict
};

class CameraWithABrokenStep : public ::testing::TestWithParam<BrokenStep> {};

TEST_P(CameraWithABrokenStep, IsOffloadedInFullAndNotReady) {
    PtpRig rig(2, 4);
    GetParam().apply(rig.camera(0).ptp_faults);
    auto reports = rig.run();
    const auto& report = report_for(reports, 1);
    EXPECT_EQ(report.archived, 4u) << report.outcome;
    EXPECT_EQ(report.wiped, 4u) << report.outcome;
    EXPECT_EQ(report.left_on_camera, 0u);
    EXPECT_EQ(report.light, hw::BayLight::not_ready) << report.outcome;
    EXPECT_NE(report.outcome.find(GetParam().reason), std::string::npos) << report.outcome;
    expect_other_bays_done(reports, 1, 4);
    EXPECT_EQ(join_problems(rig.invariant_problems()), "");
    EXPECT_EQ(join_problems(rig.not_archived_and_wiped()), "");
}

INSTANTIATE_TEST_SUITE_P(
    Steps, CameraWithABrokenStep,
    ::testing::Values(
        BrokenStep{"UnparseableDateTime", [](hw::sim::PtpFaults& f) { f.bad_datetime = true; },
                   "clock sync failed (protocol error: camera DateTime \"2026-13-45 25:61\" "
                   "does not parse"},
        BrokenStep{"BatteryLevelOutOfRange", [](hw::sim::PtpFaults& f) { f.battery_level = 150; },
                   "health check failed (protocol error: camera reports a battery level of 150%"}),
    [](const ::testing::TestParamInfo<BrokenStep>& info) { return info.param.name; });

TEST(DeviceFaultsOverPtp, CameraThatStopsAnsweringTimesOutAndFaultsOnlyItsBay) {
    PtpRig rig(2, 3);
    rig.config.device_timeout = std::chrono::milliseconds(300);
    rig.config.copy.device_timeout = std::chrono::milliseconds(300);
    rig.camera(1).faults.hang_at_op = 6;
    auto reports = rig.run();
    const auto& report = report_for(reports, 2);
    EXPECT_EQ(report.light, hw::BayLight::needs_custodian);
    EXPECT_NE(report.outcome.find("timeout"), std::string::npos) << report.outcome;
    expect_other_bays_done(reports, 2, 3);
    EXPECT_EQ(join_problems(rig.invariant_problems()), "");
    rig.run_clean();
    EXPECT_EQ(join_problems(rig.not_archived_and_wiped()), "");
}

}  // namespace
}  // namespace cradle::test
