// SPDX-License-Identifier: Apache-2.0
// The whole dock on healthy and not-so-healthy emulated cameras: what is archived, wiped,
// recorded and shown on the bay light.
#include "tests/faults/rig.hpp"

#include "core/catalog/catalog.hpp"
#include "tests/support/catalog_rows.hpp"

#include <gtest/gtest.h>

namespace cradle::test {
namespace {

TEST(Service, ArchivesVerifiesAndWipesEveryRecordingOfEveryBay) {
    Rig rig(3, 5);
    run_and_expect_every_bay_offloaded(rig, 3, 5);
}

TEST(Service, BayLightGoesAmberWhileWorkingThenGreen) {
    Rig rig(1, 2);
    rig.run();
    auto history = rig.cradle().light_history(1);
    ASSERT_GE(history.size(), 2u);
    EXPECT_EQ(history.front(), hw::BayLight::working);
    EXPECT_EQ(history.back(), hw::BayLight::ready);
}

TEST(Service, LowBatteryIsArchivedAndWipedButNotReady) {
    Rig rig(1, 3);
    rig.camera(0).battery_percent = 35;
    auto report = report_for(rig.run(), 1);
    EXPECT_EQ(report.wiped, 3u);
    EXPECT_EQ(report.light, hw::BayLight::not_ready);
    EXPECT_EQ(report.outcome, "not ready: battery 35% (needs 80%; about 1 h 18 min on charge)");
    EXPECT_TRUE(report.awaiting_charge);
}

TEST(Service, ReportedFaultMakesTheCameraNotReady) {
    Rig rig(1, 1);
    rig.camera(0).faults.reported_faults = {"lens heater failure"};
    auto report = report_for(rig.run(), 1);
    EXPECT_EQ(report.light, hw::BayLight::not_ready);
    EXPECT_NE(report.outcome.find("fault: lens heater failure"), std::string::npos);
}

TEST(Service, ClockDriftIsMeasuredRecordedAndCorrected) {
    Rig rig(1, 1);
    rig.camera(0).clock_offset_s = 420;
    auto report = report_for(rig.run(), 1);
    EXPECT_TRUE(report.clock_corrected);
    EXPECT_NEAR(static_cast<double>(report.clock_drift_ms), 420'000.0, 2'000.0);
    Catalog catalog = Catalog::open_read_only(rig.state / "catalog.sqlite");
    auto syncs = test::clock_syncs(catalog);
    ASSERT_EQ(syncs.size(), 1u);
    EXPECT_TRUE(syncs[0].corrected);
    EXPECT_NEAR(static_cast<double>(syncs[0].drift_ms), 420'000.0, 2'000.0);

    // The camera keeps the corrected clock: the next dock finds it within tolerance.
    auto second = report_for(rig.run(), 1);
    EXPECT_FALSE(second.clock_corrected);
    EXPECT_LT(std::llabs(second.clock_drift_ms), 2'000);
}

TEST(Service, CorrectionIsReadBackAndACameraThatKeepsItsClockIsNotReady) {
    Rig rig(2, 1);
    rig.camera(0).clock_offset_s = 420;
    rig.camera(1).clock_offset_s = 420;
    rig.camera(1).faults.ignore_clock_set = true;
    auto reports = rig.run();
    auto kept = report_for(reports, 2);
    EXPECT_FALSE(kept.clock_corrected);
    EXPECT_NEAR(static_cast<double>(kept.clock_drift_after_ms), 420'000.0, 2'000.0);
    EXPECT_EQ(kept.light, hw::BayLight::not_ready);
    EXPECT_NE(kept.outcome.find("clock off by +4"), std::string::npos) << kept.outcome;
    EXPECT_NE(kept.clock_note.find("kept its clock"), std::string::npos) << kept.clock_note;

    auto fixed = report_for(reports, 1);
    EXPECT_TRUE(fixed.clock_corrected);
    EXPECT_LT(std::llabs(fixed.clock_drift_after_ms), 2'000);
    EXPECT_EQ(fixed.outcome, "ready for duty");
    Catalog catalog = Catalog::open_read_only(rig.state / "catalog.sqlite");
    int corrected = 0;
    for (const auto& sync : test::clock_syncs(catalog)) corrected += sync.corrected ? 1 : 0;
    EXPECT_EQ(corrected, 1) << "only the camera that took the time counts as corrected";
}

TEST(Service, TooLittleFreeStorageAfterTheWipeIsNotReady) {
    Rig rig(1, 2);
    rig.camera(0).storage_total_bytes = 1ull << 30;  // 1 GiB card, below the 4 GiB default
    auto report = report_for(rig.run(), 1);
    EXPECT_EQ(report.wiped, 2u);
    EXPECT_EQ(report.light, hw::BayLight::not_ready);
    EXPECT_NE(report.outcome.find("storage 1024 MiB free (needs 4096 MiB)"), std::string::npos)
        << report.outcome;
}

TEST(Service, RetiredCameraThatDocksAsksForACustodian) {
    Rig rig(1, 2);
    EXPECT_EQ(report_for(rig.run(), 1).outcome, "ready for duty");
    {
        Catalog catalog = test::signed_catalog(rig.state);
        catalog.retire_device(rig.camera(0).serial, "lens cracked", 1'700'000'000, "uid 0");
    }
    // Docked again: the configured register (unchanged) does not undo the retirement.
    auto report = report_for(rig.run(), 1);
    EXPECT_EQ(report.light, hw::BayLight::needs_custodian);
    EXPECT_NE(report.outcome.find("retired device docked"), std::string::npos) << report.outcome;
    EXPECT_EQ(join_problems(rig.invariant_problems()), "");
}

TEST(Service, UntrustedCradleClockDoesNotSetTheCameraAndSaysSo) {
    Rig rig(1, 1);
    rig.camera(0).clock_offset_s = -300;
    rig.config.clock_trust = ClockTrust::never;
    auto report = report_for(rig.run(), 1);
    EXPECT_FALSE(report.clock_corrected);
    EXPECT_EQ(report.light, hw::BayLight::not_ready);
    EXPECT_NE(report.outcome.find("clock off by -300"), std::string::npos) << report.outcome;
}

TEST(Service, UnregisteredCameraIsArchivedInFullAndFlaggedForTheCustodian) {
    Rig rig(1, 4);
    rig.config.register_entries.clear();
    auto report = report_for(rig.run(), 1);
    EXPECT_FALSE(report.registered);
    EXPECT_EQ(report.archived, 4u);
    EXPECT_EQ(report.light, hw::BayLight::needs_custodian);
    EXPECT_NE(report.outcome.find("unregistered"), std::string::npos);
    EXPECT_EQ(join_problems(rig.invariant_problems()), "");
    Catalog catalog = Catalog::open_read_only(rig.state / "catalog.sqlite");
    bool flagged = false;
    for (const auto& row : catalog.audit_rows()) flagged |= row.event == "device.unregistered";
    EXPECT_TRUE(flagged);
}

TEST(Service, SecondDockOfAWipedCameraArchivesNothingAndDuplicatesNothing) {
    Rig rig(1, 3);
    rig.run();
    auto report = report_for(rig.run(), 1);
    EXPECT_EQ(report.recordings_found, 0u);
    Catalog catalog = Catalog::open_read_only(rig.state / "catalog.sqlite");
    EXPECT_EQ(catalog.recordings().size(), 3u);
    EXPECT_EQ(catalog.dock_sessions().size(), 2u);
}

TEST(Service, EveryArchivedAndWipedRecordingHasItsAuditEntries) {
    Rig rig(1, 3);
    rig.run();
    Catalog catalog = Catalog::open_read_only(rig.state / "catalog.sqlite");
    int archived = 0, wiped = 0;
    for (const auto& row : catalog.audit_rows()) {
        archived += row.event == "recording.archived";
        wiped += row.event == "recording.wiped";
    }
    EXPECT_EQ(archived, 3);
    EXPECT_EQ(wiped, 3);
}

void expect_recordings_carry_the_cameras_officer_id(Rig& rig) {
    rig.camera(0).officer_id = "PO-1041";
    const DockReport report = report_for(rig.run(), 1);
    EXPECT_EQ(report.camera_officer_id, "PO-1041");
    Catalog catalog = Catalog::open_read_only(rig.state / "catalog.sqlite");
    const auto recordings = catalog.recordings();
    ASSERT_EQ(recordings.size(), 3u);
    for (const auto& row : recordings) EXPECT_EQ(row.camera_officer_id, "PO-1041");
}

TEST(Service, RecordingsCarryTheOfficerIdTheCameraReports) {
    Rig rig(1, 3);
    expect_recordings_carry_the_cameras_officer_id(rig);
}

TEST(Service, RecordingsCarryTheOfficerIdTheCameraReportsOverPtp) {
    Rig rig(1, 3);
    rig.use_ptp();
    expect_recordings_carry_the_cameras_officer_id(rig);
}

TEST(Service, CameraWithoutAnOfficerIdGivesRecordingsNone) {
    Rig rig(1, 2);
    rig.use_ptp();
    const DockReport report = report_for(rig.run(), 1);
    EXPECT_EQ(report.camera_officer_id, "");
    Catalog catalog = Catalog::open_read_only(rig.state / "catalog.sqlite");
    for (const auto& row : catalog.recordings()) EXPECT_EQ(row.camera_officer_id, "");
}

TEST(Service, EveryDockThatIdentifiedItsCameraLeavesItsVerdictInTheReadinessHistory) {
    Rig rig(3, 2);
    rig.camera(1).battery_percent = 35;
    rig.camera(2).faults.yank_at_op = 5;  // identified, then unplugged during the offload
    rig.config.register_entries.pop_back();
    rig.config.register_entries.erase(rig.config.register_entries.begin());  // bay 1 unknown
    const auto reports = rig.run();
    Catalog catalog = Catalog::open_read_only(rig.state / "catalog.sqlite");
    for (int bay = 1; bay <= 3; ++bay) {
        const DockReport& report = report_for(reports, bay);
        const auto history = test::readiness_history(catalog, report.serial);
        ASSERT_EQ(history.size(), 1u) << report.serial;
        EXPECT_EQ(history[0].verdict, report.outcome);
        EXPECT_EQ(history[0].dock_session_id, report.dock_session_id);
        EXPECT_FALSE(history[0].ready) << report.outcome;
        EXPECT_GT(history[0].at, 0);
        ASSERT_TRUE(test::latest_readiness(catalog, report.serial).has_value());
    }
    EXPECT_EQ(report_for(reports, 1).light, hw::BayLight::needs_custodian);
    EXPECT_EQ(report_for(reports, 2).light, hw::BayLight::not_ready);
    EXPECT_EQ(report_for(reports, 3).outcome.rfind("unplugged during", 0), 0u);

    // The next dock's verdict follows; the latest is the one shown in reports.
    rig.clear_faults();
    const auto again = rig.run();
    Catalog after = Catalog::open_read_only(rig.state / "catalog.sqlite");
    const DockReport& charged = report_for(again, 2);
    EXPECT_EQ(test::readiness_history(after, charged.serial).size(), 2u);
    const auto latest = test::latest_readiness(after, charged.serial);
    ASSERT_TRUE(latest.has_value());
    EXPECT_EQ(latest->verdict, charged.outcome);
}

}  // namespace
}  // namespace cradle::test
