// SPDX-License-Identifier: Apache-2.0
// The readiness policy: whether a docked camera is ready for its next shift and, if not, each
// reason in the words the bay, the log and the catalog show, from the dock's report alone.
#include "engine/readiness.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

namespace cradle {
namespace {

using namespace std::chrono_literals;

Config policy() {
    Config config;
    config.battery_min_percent = 80;
    config.charge_percent_per_hour = 35;
    config.storage_min_free_bytes = 4096ull << 20;
    return config;
}

// A dock that read everything and found nothing wrong.
DockReport healthy_dock() {
    DockReport report;
    report.battery_read = true;
    report.battery_percent = 95;
    report.storage_read = true;
    report.storage_free_after_bytes = 30000ull << 20;
    report.clock_measured = true;
    report.clock_drift_ms = 300;
    report.clock_note = "within tolerance";
    return report;
}

DockReport verdict_of(DockReport report) {
    apply_verdict(report, assess_readiness(policy(), report));
    return report;
}

TEST(Readiness, NothingInTheWayIsReadyForDuty) {
    const DockReport report = verdict_of(healthy_dock());
    EXPECT_EQ(report.outcome, "ready for duty");
    EXPECT_EQ(report.light, hw::BayLight::ready);
    EXPECT_FALSE(report.awaiting_charge);
    EXPECT_TRUE(assess_readiness(policy(), healthy_dock()).reasons.empty());
}

TEST(Readiness, WhatWasNotReadStandsInNoWay) {
    DockReport report;
    report.battery_percent = 0;
    report.storage_free_after_bytes = 0;
    EXPECT_EQ(verdict_of(report).outcome, "ready for duty");
}

TEST(Readiness, AFailedStepIsNamedAsItFailed) {
    DockReport report = healthy_dock();
    report.step_failures.push_back("clock sync failed (protocol: no answer to GetDeviceProp)");
    report = verdict_of(report);
    EXPECT_EQ(report.outcome,
              "not ready: clock sync failed (protocol: no answer to GetDeviceProp)");
    EXPECT_EQ(report.light, hw::BayLight::not_ready);
    EXPECT_FALSE(report.awaiting_charge);
}

TEST(Readiness, StorageBelowTheMinimumInMebibytes) {
    DockReport report = healthy_dock();
    report.storage_free_after_bytes = (1024ull << 20) + 5;
    EXPECT_EQ(verdict_of(report).outcome, "not ready: storage 1024 MiB free (needs 4096 MiB)");
    report.storage_free_after_bytes = 4096ull << 20;
    EXPECT_EQ(verdict_of(report).outcome, "ready for duty");
}

TEST(Readiness, ALowBatteryThatChargesSaysHowLongAndIsWatched) {
    DockReport report = healthy_dock();
    report.battery_percent = 35;
    report.charging = true;
    report.charge_eta_s = 4629;
    const Readiness readiness = assess_readiness(policy(), report);
    EXPECT_TRUE(readiness.battery_low);
    report = verdict_of(report);
    EXPECT_EQ(report.outcome, "not ready: battery 35% (needs 80%; about 1 h 18 min on charge)");
    EXPECT_EQ(report.light, hw::BayLight::not_ready);
    EXPECT_TRUE(report.awaiting_charge);
}

TEST(Readiness, ALowBatteryThatDoesNotChargeIsNotWatched) {
    DockReport report = healthy_dock();
    report.battery_percent = 70;
    report.charging = false;
    report.charge_eta_s = -1;
    report = verdict_of(report);
    EXPECT_EQ(report.outcome, "not ready: battery 70% (needs 80%; not charging)");
    EXPECT_FALSE(report.awaiting_charge);
}

TEST(Readiness, ACameraChargingWithNoEstimateIsShownAsNotCharging) {
    DockReport report = healthy_dock();
    report.battery_percent = 79;
    report.charging = true;
    report.charge_eta_s = -1;
    EXPECT_EQ(verdict_of(report).outcome, "not ready: battery 79% (needs 80%; not charging)");
}

TEST(Readiness, TheBatteryAtTheThresholdIsEnough) {
    DockReport report = healthy_dock();
    report.battery_percent = 80;
    EXPECT_EQ(verdict_of(report).outcome, "ready for duty");
}

TEST(Readiness, EachFaultIsAReason) {
    DockReport report = healthy_dock();
    report.faults = {"lens cover open", "microphone"};
    EXPECT_EQ(verdict_of(report).outcome, "not ready: fault: lens cover open, fault: microphone");
}

TEST(Readiness, AClockTheCradleCouldNotCorrectSaysHowFarOff) {
    DockReport report = healthy_dock();
    report.clock_drift_ms = 2500;
    report.clock_note = "not corrected: clock setting is disabled";
    EXPECT_EQ(verdict_of(report).outcome, "not ready: clock off by +2.5 s");
    report.clock_note = "not corrected: the cradle's clock is not synchronised";
    report.clock_drift_ms = -4321;
    EXPECT_EQ(verdict_of(report).outcome, "not ready: clock off by -4.3 s");
}

TEST(Readiness, AfterACorrectionTheCameraIgnoredWhatItReadsNowCounts) {
    DockReport report = healthy_dock();
    report.clock_drift_ms = 9000;
    report.clock_drift_after_ms = 8800;
    report.clock_note = "not corrected: the camera kept its clock, still +8.8 s off";
    EXPECT_EQ(verdict_of(report).outcome, "not ready: clock off by +8.8 s");
}

TEST(Readiness, AClockWithinToleranceOrCorrectedIsNoReason) {
    DockReport report = healthy_dock();
    report.clock_drift_ms = 9000;
    report.clock_drift_after_ms = 100;
    report.clock_corrected = true;
    report.clock_note = "corrected; now +0.1 s";
    EXPECT_EQ(verdict_of(report).outcome, "ready for duty");
}

TEST(Readiness, AllTheReasonsInTheirOrder) {
    DockReport report = healthy_dock();
    report.step_failures = {"health check failed (io: short read)",
                            "final health check failed (refused: busy)"};
    report.storage_free_after_bytes = 100ull << 20;
    report.battery_percent = 20;
    report.charging = true;
    report.charge_eta_s = 1500;
    report.faults = {"battery swollen"};
    report.clock_drift_ms = -3000;
    report.clock_note = "not corrected: clock setting is disabled";
    const Readiness readiness = assess_readiness(policy(), report);
    EXPECT_EQ(readiness.reasons,
              (std::vector<std::string>{"health check failed (io: short read)",
                                        "final health check failed (refused: busy)",
                                        "storage 100 MiB free (needs 4096 MiB)",
                                        "battery 20% (needs 80%; about 25 min on charge)",
                                        "fault: battery swollen", "clock off by -3.0 s"}));
    report = verdict_of(report);
    EXPECT_EQ(report.outcome,
              "not ready: health check failed (io: short read), final health check failed "
              "(refused: busy), storage 100 MiB free (needs 4096 MiB), battery 20% (needs 80%; "
              "about 25 min on charge), fault: battery swollen, clock off by -3.0 s");
    EXPECT_EQ(report.light, hw::BayLight::not_ready);
    // Charging alone will not make it ready: nothing to watch.
    EXPECT_FALSE(report.awaiting_charge);
}

TEST(Readiness, ABatteryAndAFaultAreNotWaitedFor) {
    DockReport report = healthy_dock();
    report.battery_percent = 50;
    report.charging = true;
    report.charge_eta_s = 600;
    report.faults = {"lens cover open"};
    report = verdict_of(report);
    EXPECT_EQ(report.outcome,
              "not ready: battery 50% (needs 80%; about 10 min on charge), fault: lens cover open");
    EXPECT_FALSE(report.awaiting_charge);
}

TEST(Readiness, AVerdictOfReadyClearsAnEarlierWatch) {
    DockReport report = healthy_dock();
    report.awaiting_charge = true;
    report.light = hw::BayLight::not_ready;
    report = verdict_of(report);
    EXPECT_FALSE(report.awaiting_charge);
    EXPECT_EQ(report.light, hw::BayLight::ready);
}

TEST(ChargeEstimate, AtTheConfiguredRateWhenTheBatteryHasNotRisen) {
    // 45 points at 35 % an hour.
    EXPECT_EQ(seconds_to_charge(policy(), 35, 0s, 35), 4629);
    EXPECT_EQ(seconds_to_charge(policy(), 40, 600s, 35), 4629);
}

TEST(ChargeEstimate, AtTheMeasuredRateOnceTheBatteryRose) {
    // 10 points in 600 s: 40 more take 2400 s.
    EXPECT_EQ(seconds_to_charge(policy(), 30, 600s, 40), 2400);
}

TEST(ChargeEstimate, NoneOnceTheThresholdIsReachedAndAWeekAtTheMost) {
    EXPECT_EQ(seconds_to_charge(policy(), 50, 600s, 80), -1);
    EXPECT_EQ(seconds_to_charge(policy(), 50, 600s, 100), -1);
    EXPECT_EQ(seconds_to_charge(policy(), 10, std::chrono::hours(24 * 365), 11), 7 * 86400);
}

TEST(ChargeEstimate, ShownInWholeMinutes) {
    EXPECT_EQ(format_charge_time(0), "about 1 min");
    EXPECT_EQ(format_charge_time(61), "about 2 min");
    EXPECT_EQ(format_charge_time(1500), "about 25 min");
    EXPECT_EQ(format_charge_time(3600), "about 1 h");
    EXPECT_EQ(format_charge_time(5160), "about 1 h 26 min");
}

TEST(ClockDrift, ShownInTenthsOfASecondWithItsSign) {
    EXPECT_EQ(format_drift(0), "+0.0 s");
    EXPECT_EQ(format_drift(2500), "+2.5 s");
    EXPECT_EQ(format_drift(-1299), "-1.2 s");
    EXPECT_EQ(format_drift(61'050), "+61.0 s");
}

TEST(LeftOnCamera, WhatWasFoundLessWhatWasWiped) {
    DockReport report;
    report.recordings_found = 5;
    report.wiped = 3;
    EXPECT_EQ(still_on_camera(report), 2u);
    report.wiped = 5;
    EXPECT_EQ(still_on_camera(report), 0u);
    // Never fewer than none.
    report.recordings_found = 2;
    EXPECT_EQ(still_on_camera(report), 0u);
}

}  // namespace
}  // namespace cradle
