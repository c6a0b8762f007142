// SPDX-License-Identifier: Apache-2.0
// I1/I4/I5 against broken and hostile cameras: sizes that lie, a camera that stops answering,
// hostile names, absurd counts, a camera that refuses to delete. Each faults its own bay only.
#include "tests/faults/rig.hpp"

#include "core/catalog/catalog.hpp"

#include <gtest/gtest.h>

namespace cradle::test {
namespace {

class LyingSize : public ::testing::TestWithParam<std::int64_t> {};

TEST_P(LyingSize, RecordingStaysOnTheCameraAndTheBayNeedsACustodian) {
    Rig rig(2, 3);
    rig.camera(0).faults.lie_size_index = 1;
    rig.camera(0).faults.lie_size_delta = GetParam();
    auto reports = rig.run();
    const auto& report = report_for(reports, 1);
    EXPECT_EQ(report.light, hw::BayLight::needs_custodian);
    EXPECT_NE(report.outcome.find("still on the camera"), std::string::npos) << report.outcome;
    EXPECT_EQ(report.wiped, 2u);  // the honest recordings are archived and wiped
    EXPECT_EQ(report.left_on_camera, 1u);
    expect_other_bays_done(reports, 1, 3);
    EXPECT_EQ(join_problems(rig.invariant_problems()), "");
}

INSTANTIATE_TEST_SUITE_P(BiggerAndSmaller, LyingSize, ::testing::Values(-1, 1, -4096, 100000));

TEST(DeviceFaults, CameraThatStopsAnsweringFaultsOnlyItsBay) {
    Rig rig(3, 3);
    rig.config.device_timeout = std::chrono::milliseconds(300);
    rig.config.copy.device_timeout = std::chrono::milliseconds(300);
    rig.camera(2).faults.hang_at_op = 6;  // in the middle of the copy
    auto reports = rig.run();
    const auto& report = report_for(reports, 3);
    EXPECT_EQ(report.light, hw::BayLight::needs_custodian);
    EXPECT_NE(report.outcome.find("timeout"), std::string::npos) << report.outcome;
    expect_other_bays_done(reports, 3, 3);
    EXPECT_EQ(join_problems(rig.invariant_problems()), "");
    rig.run_clean();
    EXPECT_EQ(join_problems(rig.not_archived_and_wiped()), "");
}

TEST(DeviceFaults, CameraThatStopsAnsweringIsPowerCycledOnceAndThenFinished) {
    Rig rig(1, 3);
    rig.config.device_timeout = std::chrono::milliseconds(300);
    rig.config.copy.device_timeout = std::chrono::milliseconds(300);
    rig.camera(0).faults.hang_at_op = 6;
    auto reports = rig.run();
    // The emulated cradle's power cycle revives the camera (its faults are cleared), so the
    // second dock of the same run finishes the job.
    ASSERT_EQ(reports.size(), 2u) << join_problems(rig.log_lines());
    EXPECT_TRUE(reports[0].device_timed_out);
    EXPECT_EQ(reports[0].light, hw::BayLight::needs_custodian);
    EXPECT_EQ(reports[1].light, hw::BayLight::ready) << reports[1].outcome;
    EXPECT_EQ(join_problems(rig.invariant_problems()), "");
    EXPECT_EQ(join_problems(rig.not_archived_and_wiped()), "");
    bool logged = false;
    for (const auto& line : rig.log_lines())
        logged |= line.find("power-cycling") != std::string::npos;
    EXPECT_TRUE(logged);
}

TEST(DeviceFaults, HostileNamesAreArchivedUnderGeneratedPathsAndKeptByteExact) {
    Rig rig(1, 2);
    rig.camera(0).faults.hostile_names = true;
    auto report = report_for(rig.run(), 1);
    EXPECT_EQ(report.light, hw::BayLight::ready) << report.outcome;
    EXPECT_EQ(join_problems(rig.invariant_problems()), "");
    EXPECT_EQ(join_problems(rig.not_archived_and_wiped()), "");

    Catalog catalog = Catalog::open_read_only(rig.state / "catalog.sqlite");
    bool traversal = false, nul = false, long_name = false;
    for (const auto& row : catalog.recordings()) {
        traversal |= row.key.name == "../../etc/passwd";
        nul |= row.key.name.find('\0') != std::string::npos;
        long_name |= row.key.name.size() == 4096;
        EXPECT_EQ(row.archive_path.find(".."), std::string::npos) << row.archive_path;
        EXPECT_EQ(row.archive_path.find("passwd"), std::string::npos) << row.archive_path;
    }
    EXPECT_TRUE(traversal);
    EXPECT_TRUE(nul);
    EXPECT_TRUE(long_name);
}

TEST(DeviceFaults, AbsurdRecordingCountFaultsTheBayAndWipesNothing) {
    Rig rig(2, 3);
    rig.config.max_recordings = 1000;
    rig.camera(0).faults.claim_count = 1'000'000;
    auto reports = rig.run();
    const auto& report = report_for(reports, 1);
    EXPECT_EQ(report.light, hw::BayLight::needs_custodian);
    EXPECT_EQ(report.wiped, 0u);
    expect_other_bays_done(reports, 1, 3);
    EXPECT_EQ(join_problems(rig.invariant_problems()), "");
}

TEST(DeviceFaults, OversizedDeclaredRecordingIsLeftOnTheCamera) {
    Rig rig(1, 3);
    rig.config.max_recording_bytes = 1 << 20;
    rig.camera(0).faults.lie_size_index = 0;
    rig.camera(0).faults.lie_size_delta = 4ll << 30;  // claims over 4 GiB
    auto report = report_for(rig.run(), 1);
    EXPECT_EQ(report.light, hw::BayLight::needs_custodian);
    EXPECT_EQ(report.wiped, 2u);
    EXPECT_EQ(join_problems(rig.invariant_problems()), "");
}

TEST(DeviceFaults, CameraThatRefusesToDeleteKeepsItsFootageAndItsArchivedCopy) {
    Rig rig(1, 2);
    rig.camera(0).faults.refuse_delete = true;
    auto report = report_for(rig.run(), 1);
    EXPECT_EQ(report.light, hw::BayLight::needs_custodian);
    EXPECT_EQ(report.archived, 2u);
    EXPECT_EQ(report.wiped, 0u);
    EXPECT_EQ(join_problems(rig.invariant_problems()), "");

    // Docked again and deleting again: nothing is copied twice, everything is wiped.
    auto second = report_for(rig.run_clean(), 1);
    EXPECT_EQ(second.already_archived, 2u);
    EXPECT_EQ(second.archived, 0u);
    EXPECT_EQ(second.wiped, 2u);
    EXPECT_EQ(join_problems(rig.not_archived_and_wiped()), "");
}

}  // namespace
}  // namespace cradle::test
