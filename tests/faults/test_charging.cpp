// SPDX-License-Identifier: Apache-2.0
// A camera that docks with too little battery: how long it needs on charge, and the bay that
// keeps reading its battery while it charges ([readiness] battery_recheck_s) until it is ready.
// The rechecks run on the service's timer; the tests wait for the bay's status, never a sleep.
#include "tests/faults/rig.hpp"

#include "core/catalog/catalog.hpp"
#include "tests/support/catalog_rows.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace cradle::test {
namespace {

bool has_line(const Rig& rig, const std::string& text) {
    return std::any_of(
        rig.log_lines().begin(), rig.log_lines().end(),
        [&](const std::string& line) { return line.find(text) != std::string::npos; });
}

// The camera in bay 1 at 70%, gaining 5% at each health read, against a threshold of 80%:
// the dock reads 70% and then 75% (not ready), the first recheck 80%.
void make_charging(Rig& rig) {
    rig.camera(0).battery_percent = 70;
    rig.camera(0).charge_percent_per_health_read = 5;
    rig.config.battery_min_percent = 80;
    rig.config.battery_recheck = std::chrono::seconds(1);
}

bool ready_in_bay(const BayStatus& status, int bay) {
    return status.bay == bay && status.phase == BayPhase::done &&
           status.outcome == "ready for duty" && status.light == hw::BayLight::ready;
}

void expect_turns_ready_after_a_recheck(Rig& rig) {
    const auto reports =
        rig.run_until([](const BayStatus& status) { return ready_in_bay(status, 1); });
    ASSERT_FALSE(rig.timed_out()) << join_problems(rig.log_lines());

    // The dock itself ended not ready, with the time the measured charging rate gives.
    const DockReport& dock = report_for(reports, 1);
    EXPECT_EQ(dock.wiped, 2u);
    EXPECT_EQ(dock.battery_at_dock_percent, 70);
    EXPECT_EQ(dock.battery_percent, 75);
    EXPECT_TRUE(dock.awaiting_charge);
    EXPECT_EQ(dock.outcome.rfind("not ready: battery 75% (needs 80%; about ", 0), 0u)
        << dock.outcome;
    EXPECT_TRUE(dock.outcome.ends_with(" min on charge)")) << dock.outcome;

    // Then green, kept in the readiness history and the audit log, and said in the log.
    const auto lights = rig.cradle().light_history(1);
    ASSERT_GE(lights.size(), 2u);
    EXPECT_EQ(lights[lights.size() - 2], hw::BayLight::not_ready);
    EXPECT_EQ(lights.back(), hw::BayLight::ready);
    Catalog catalog = Catalog::open_read_only(rig.state / "catalog.sqlite");
    const auto history = test::readiness_history(catalog, "TEST-1");
    ASSERT_EQ(history.size(), 2u);
    EXPECT_FALSE(history[0].ready);
    EXPECT_EQ(history[0].verdict, dock.outcome);
    EXPECT_TRUE(history[1].ready);
    EXPECT_EQ(history[1].verdict, "ready for duty");
    EXPECT_EQ(history[1].dock_session_id, history[0].dock_session_id);
    EXPECT_NE(history[0].dock_session_id, 0);
    const auto audit = catalog.audit_rows();
    EXPECT_TRUE(std::any_of(audit.begin(), audit.end(), [](const AuditRow& row) {
        return row.event == "readiness.changed" && row.device_serial == "TEST-1" &&
               row.detail.rfind("ready for duty", 0) == 0;
    }));
    // The reading that turned it ready is the dock's latest health check, so a report shows
    // the battery the verdict was given for, at the verdict's time.
    const auto checks = test::health_checks(catalog);
    ASSERT_FALSE(checks.empty());
    EXPECT_EQ(checks.back().dock_session_id, history[1].dock_session_id);
    EXPECT_EQ(checks.back().battery_percent, 80);
    EXPECT_EQ(checks.back().at, history[1].at);
    EXPECT_TRUE(std::any_of(audit.begin(), audit.end(), [&](const AuditRow& row) {
        return row.event == "dock.end" && row.detail == dock.outcome && row.at == history[0].at;
    }));
    EXPECT_TRUE(
        has_line(rig, "bay 1 TEST-1: ready for duty after charging in the bay: battery 80%"));
    EXPECT_EQ(join_problems(rig.error_lines()), "");
    EXPECT_EQ(join_problems(rig.invariant_problems()), "");
}

TEST(Charging, ChargingCameraTurnsReadyAfterARecheck) {
    Rig rig(1, 2);
    make_charging(rig);
    expect_turns_ready_after_a_recheck(rig);
}

TEST(Charging, ChargingCameraOverPtpTurnsReadyAfterARecheck) {
    Rig rig(1, 2);
    make_charging(rig);
    rig.use_ptp();
    expect_turns_ready_after_a_recheck(rig);
}

TEST(Charging, SlowChargeIsRecheckedUntilReadyWithAFreshEstimateEachTime) {
    Rig rig(1, 2);
    make_charging(rig);
    rig.camera(0).battery_percent = 65;  // dock: 65, 70; rechecks: 75, 80
    std::vector<std::string> outcomes;
    rig.run_until([&](const BayStatus& status) {
        if (status.bay == 1 && status.phase == BayPhase::done) outcomes.push_back(status.outcome);
        return ready_in_bay(status, 1);
    });
    ASSERT_FALSE(rig.timed_out()) << join_problems(rig.log_lines());
    const auto at = [&](const std::string& text) {
        return std::find_if(outcomes.begin(), outcomes.end(), [&](const std::string& outcome) {
            return outcome.rfind(text, 0) == 0;
        });
    };
    EXPECT_NE(at("not ready: battery 70% (needs 80%; about "), outcomes.end());
    EXPECT_NE(at("not ready: battery 75% (needs 80%; about "), outcomes.end());
    EXPECT_EQ(outcomes.back(), "ready for duty");
    EXPECT_TRUE(has_line(rig, "battery recheck: 75%"));
    // Only the changes of the verdict are kept: the dock's and the ready one.
    Catalog catalog = Catalog::open_read_only(rig.state / "catalog.sqlite");
    EXPECT_EQ(test::readiness_history(catalog, "TEST-1").size(), 2u);
}

TEST(Charging, CameraTakenOutWhileItChargesEndsItsWatchAndTheBayTakesTheNextCamera) {
    Rig rig(1, 2);
    make_charging(rig);
    rig.camera(0).battery_percent = 20;  // far from the threshold: rechecks go on
    hw::sim::CameraSpec next = small_camera("NEXT-1", 1, 64 << 10, 77);
    rig.config.register_entries.push_back(RegisterEntry{"NEXT-1", "Custodian A", "pool", "Head"});
    bool unplugged = false;
    bool plugged_next = false;
    const auto reports = rig.run_until([&](const BayStatus& status) {
        if (status.bay != 1) return false;
        // After the first recheck (20 and 25 at the dock, then 30).
        if (!unplugged && status.phase == BayPhase::done &&
            status.outcome.rfind("not ready: battery 30%", 0) == 0) {
            unplugged = true;
            rig.cradle().unplug(1);
            return false;
        }
        if (unplugged && !plugged_next && status.phase == BayPhase::empty) {
            plugged_next = true;
            rig.cradle().plug(1, next);
            return false;
        }
        return plugged_next && status.serial == "NEXT-1" && status.phase == BayPhase::done;
    });
    ASSERT_FALSE(rig.timed_out()) << join_problems(rig.log_lines());
    ASSERT_EQ(reports.size(), 2u);
    EXPECT_EQ(reports[1].serial, "NEXT-1");
    EXPECT_EQ(reports[1].outcome, "ready for duty");
    EXPECT_EQ(rig.cradle().light(1), hw::BayLight::ready);
    EXPECT_EQ(join_problems(rig.error_lines()), "");
    // The watched camera's verdict stays the one of its dock: nothing recorded after it left.
    Catalog catalog = Catalog::open_read_only(rig.state / "catalog.sqlite");
    const auto history = test::readiness_history(catalog, "TEST-1");
    ASSERT_EQ(history.size(), 1u);
    EXPECT_FALSE(history[0].ready);
}

// The camera says it charges (as a PTP camera always does) but its battery stays at 70%: after
// three rechecks without a rise it is taken as not charging, recorded like any verdict change,
// and the watch ends.
void expect_taken_as_not_charging(Rig& rig) {
    rig.camera(0).charge_percent_per_health_read = 0;
    const std::string verdict = "not ready: battery 70% (needs 80%; not charging)";
    std::vector<std::string> outcomes;
    const auto reports = rig.run_until([&](const BayStatus& status) {
        if (status.bay == 1 && status.phase == BayPhase::done) outcomes.push_back(status.outcome);
        return status.bay == 1 && status.outcome == verdict;
    });
    ASSERT_FALSE(rig.timed_out()) << join_problems(rig.log_lines());
    const DockReport& dock = report_for(reports, 1);
    EXPECT_TRUE(dock.awaiting_charge);
    EXPECT_EQ(dock.outcome.rfind("not ready: battery 70% (needs 80%; about ", 0), 0u)
        << dock.outcome;
    // The dock's own status, then two rechecks still waiting for a rise, then the verdict.
    ASSERT_EQ(outcomes.size(), 4u) << join_problems(outcomes);
    EXPECT_EQ(outcomes[1].rfind("not ready: battery 70% (needs 80%; about ", 0), 0u);
    EXPECT_EQ(outcomes[2].rfind("not ready: battery 70% (needs 80%; about ", 0), 0u);
    EXPECT_EQ(outcomes[3], verdict);
    EXPECT_TRUE(has_line(rig, "bay 1 TEST-1: battery still 70% after 3 rechecks"));
    EXPECT_EQ(rig.cradle().light(1), hw::BayLight::not_ready);

    Catalog catalog = Catalog::open_read_only(rig.state / "catalog.sqlite");
    const auto history = test::readiness_history(catalog, "TEST-1");
    ASSERT_EQ(history.size(), 2u);
    EXPECT_EQ(history[1].verdict, verdict);
    EXPECT_FALSE(history[1].ready);
    EXPECT_EQ(history[1].dock_session_id, history[0].dock_session_id);
    const auto checks = test::health_checks(catalog);
    ASSERT_FALSE(checks.empty());
    EXPECT_EQ(checks.back().battery_percent, 70);
    EXPECT_FALSE(checks.back().charging);
    const auto audit = catalog.audit_rows();
    EXPECT_TRUE(std::any_of(audit.begin(), audit.end(), [&](const AuditRow& row) {
        return row.event == "readiness.changed" && row.detail.rfind(verdict, 0) == 0;
    }));
    EXPECT_EQ(join_problems(rig.error_lines()), "");
}

TEST(Charging, CameraThatSaysItChargesWithoutRisingIsTakenAsNotChargingAfterThreeRechecks) {
    Rig rig(1, 2);
    make_charging(rig);
    expect_taken_as_not_charging(rig);
}

TEST(Charging, PtpCameraWhoseBatteryDoesNotRiseIsTakenAsNotCharging) {
    Rig rig(1, 2);
    make_charging(rig);
    rig.use_ptp();
    expect_taken_as_not_charging(rig);
}

// A recheck that fails ends the watch, and the bay says the verdict is no longer rechecked
// rather than go on showing an estimate that will not change.
TEST(Charging, FailedRecheckEndsTheWatchAndTheBaySaysSo) {
    const int dock_operations = [] {
        Rig rig(1, 2);
        make_charging(rig);
        rig.run();
        return rig.cradle().camera(1)->operations();
    }();
    Rig rig(1, 2);
    make_charging(rig);
    rig.camera(0).faults.hang_at_op = dock_operations + 1;  // the first recheck
    rig.config.device_timeout = std::chrono::milliseconds(300);
    rig.run_until([](const BayStatus& status) {
        return status.bay == 1 && status.outcome.find("; not rechecked: ") != std::string::npos;
    });
    ASSERT_FALSE(rig.timed_out()) << join_problems(rig.log_lines());
    EXPECT_EQ(rig.cradle().light(1), hw::BayLight::not_ready);
    EXPECT_TRUE(has_line(rig, "bay 1 TEST-1: battery recheck failed (device timeout"));
    Catalog catalog = Catalog::open_read_only(rig.state / "catalog.sqlite");
    EXPECT_EQ(test::readiness_history(catalog, "TEST-1").size(), 1u)
        << "the verdict did not change";
}

TEST(Charging, CameraThatIsNotChargingIsNotRechecked) {
    // Bay 1 does not charge; bay 2 charges and turns ready after a recheck. By then bay 1
    // would have been rechecked too, had it been watched.
    Rig rig(1, 2);
    make_charging(rig);
    rig.spec.bays = 2;
    hw::sim::CameraSpec charging = rig.camera(0);
    charging.serial = "TEST-2";
    charging.bay = 2;
    rig.spec.cameras.push_back(charging);
    rig.config.register_entries.push_back(RegisterEntry{"TEST-2", "Custodian A", "pool", "Head"});
    rig.camera(0).faults.not_charging = true;
    const auto reports =
        rig.run_until([](const BayStatus& status) { return ready_in_bay(status, 2); });
    ASSERT_FALSE(rig.timed_out()) << join_problems(rig.log_lines());
    const DockReport& dock = report_for(reports, 1);
    EXPECT_EQ(dock.outcome, "not ready: battery 70% (needs 80%; not charging)");
    EXPECT_FALSE(dock.awaiting_charge);
    EXPECT_FALSE(has_line(rig, "bay 1 TEST-1: charging: the battery is read again"));
    EXPECT_FALSE(has_line(rig, "bay 1 TEST-1: battery recheck"));
    EXPECT_TRUE(has_line(rig, "bay 2 TEST-2: charging: the battery is read again every 1 s"));
    EXPECT_EQ(rig.cradle().light(1), hw::BayLight::not_ready);
}

TEST(Charging, CameraNotReadyForMoreThanItsBatteryIsNotRechecked) {
    Rig rig(1, 2);
    make_charging(rig);
    rig.camera(0).faults.reported_faults = {"lens heater failure"};
    const DockReport dock = report_for(rig.run(), 1);
    EXPECT_EQ(dock.light, hw::BayLight::not_ready);
    EXPECT_FALSE(dock.awaiting_charge);
}

TEST(Charging, ExitWhenIdleDoesNotWaitForTheRecheck) {
    Rig rig(1, 2);
    make_charging(rig);
    rig.config.battery_recheck = std::chrono::seconds(3600);
    const DockReport dock = report_for(rig.run(), 1);  // returns: the watch is not waited for
    EXPECT_TRUE(dock.awaiting_charge);
    EXPECT_FALSE(has_line(rig, "charging: the battery is read again"));
    Catalog catalog = Catalog::open_read_only(rig.state / "catalog.sqlite");
    EXPECT_EQ(test::readiness_history(catalog, "TEST-1").size(), 1u);
}

TEST(Charging, CleanStopEndsTheWatch) {
    Rig rig(1, 2);
    make_charging(rig);
    rig.camera(0).battery_percent = 20;  // dock: 20, 25; first recheck: 30
    // Stops while the watch is under way (its first recheck is seen on the bay's status).
    const auto reports = rig.run_until([](const BayStatus& status) {
        return status.bay == 1 && status.outcome.rfind("not ready: battery 30%", 0) == 0;
    });
    ASSERT_FALSE(rig.timed_out()) << join_problems(rig.log_lines());
    EXPECT_TRUE(report_for(reports, 1).awaiting_charge);
    EXPECT_TRUE(has_line(rig, "battery recheck: 30%"));
    EXPECT_FALSE(has_line(rig, "battery recheck: 35%"));
    EXPECT_EQ(join_problems(rig.error_lines()), "");
    Catalog catalog = Catalog::open_read_only(rig.state / "catalog.sqlite");
    EXPECT_EQ(test::readiness_history(catalog, "TEST-1").size(), 1u);
}

TEST(Charging, TimeToChargeUsesTheConfiguredRateWhenTheDockSawNoRise) {
    Rig rig(1, 1);
    rig.camera(0).battery_percent = 35;
    rig.config.charge_percent_per_hour = 35;  // 45% to go: 77.1 min, shown as 1 h 18 min
    const DockReport dock = report_for(rig.run(), 1);
    EXPECT_EQ(dock.outcome, "not ready: battery 35% (needs 80%; about 1 h 18 min on charge)");
    EXPECT_EQ(dock.charge_eta_s, 4629);
    rig.config.charge_percent_per_hour = 90;  // 30 min
    rig.config.battery_min_percent = 80;
    const DockReport again = report_for(rig.run(), 1);
    EXPECT_EQ(again.outcome, "not ready: battery 35% (needs 80%; about 30 min on charge)");
}

}  // namespace
}  // namespace cradle::test
