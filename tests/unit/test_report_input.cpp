// SPDX-License-Identifier: Apache-2.0
#include "common/sha256.hpp"
#include "core/catalog/report_queries.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace cradle {
namespace {

using test::TempDir;

constexpr std::int64_t kDay = 86400;
constexpr std::int64_t kFrom = 1774742400;  // 2026-03-29T00:00:00Z
constexpr std::int64_t kTo = kFrom + kDay;
constexpr reports::Period kPeriod{kFrom, kTo};
constexpr std::uint64_t kGiB = 1ull << 30;

// A register and a catalog whose every report fact is known. Five cameras:
//   SN-A  registered to Officer Li the day before, reassigned to Officer Wang in the period; a
//         dock the day before and one in the period with two health readings, a clock sync,
//         recordings archived and wiped during it, and two readiness verdicts after it.
//   SN-B  registered long before, one dock starting exactly at the period's start, no readiness
//         row (a dock from before readiness was kept per device).
//   SN-C  never registered; its only dock starts exactly at the period's end.
//   SN-D  registered at the period's start, retired exactly at its end, never docked.
//   SN-E  docked in the period and still in its bay.
class ReportInputTest : public ::testing::Test {
  protected:
    ReportInputTest() : catalog_(dir_.path() / "catalog.sqlite") { build(); }

    void archive(std::int64_t id, std::int64_t at) {
        catalog_.mark_archived(id, Sha256::hex_of(std::to_string(id)),
                               "2026/03/29/" + std::to_string(id) + ".mp4", at,
                               {"recording.archived", 1, "", id, ""});
    }
    void wipe(std::int64_t id, std::int64_t at) {
        catalog_.mark_wiped(id, at, {"recording.wiped", 1, "", id, ""});
    }
    std::int64_t recording(const DeviceRow& device, std::uint32_t handle, std::uint64_t size,
                           std::int64_t captured, const std::string& camera_officer_id,
                           std::string name = "") {
        if (name.empty()) name = "VID_" + std::to_string(handle) + ".MP4";
        return catalog_
            .begin_recording(RecordingKey{device.id, handle, name, size, captured},
                             camera_officer_id)
            .id;
    }

    void build() {
        catalog_.upsert_officers({{"A17", "Officer Li", "Team 1", 0},
                                  {"B22", "Officer Wang", "Team 1", 0},
                                  {"C33", "Officer Zhou", "Team 2", 0}},
                                 kFrom - 3 * kDay, "uid 0");

        // SN-A
        catalog_.register_device("SN-A", "Custodian A", "Officer Li", "Head Zhang", kFrom - kDay);
        DeviceRow a = catalog_.upsert_device("SN-A", "Maker", "BC-1", "1.0", kFrom - kDay + 50);
        std::int64_t a1 = catalog_.begin_dock(a.id, 1, kFrom - kDay + 100);
        r0_ = recording(a, 1, 500, kFrom - kDay - 3600, "A17");
        archive(r0_, kFrom - kDay + 200);
        catalog_.end_dock(a1, kFrom - kDay + 400, "not ready: battery 20% < 80%");
        catalog_.add_readiness(
            {"SN-A", a1, kFrom - kDay + 400, false, "not ready: battery 20% < 80%"});
        catalog_.assign_officer("SN-A", "Officer Wang", kFrom + 50, "uid 1000 (lee)",
                                "shift change");
        a = catalog_.upsert_device("SN-A", "Maker", "BC-1", "1.1", kFrom + 100);
        a2_ = catalog_.begin_dock(a.id, 2, kFrom + 100);
        catalog_.add_health_check({a2_, kFrom + 110, 40, false, "lens", 64 * kGiB, 10 * kGiB});
        catalog_.add_clock_sync({a2_, kFrom + 115, -2500, true, "corrected; now +0 ms"});
        catalog_.add_health_check({a2_, kFrom + 200, 60, true, "", 64 * kGiB, 32 * kGiB});
        wipe(r0_, kFrom + 120);
        r1_ = recording(a, 2, 1000, kFrom - 3600, "C33");  // Li's time, Zhou's ID: outside
        archive(r1_, kFrom + 150);
        wipe(r1_, kFrom + 160);
        r2_ = recording(a, 3, 2000, kFrom, "C33");       // Li's time, Zhou's ID: at the start
        r3_ = recording(a, 4, 3000, kFrom + 60, "A17");  // Wang's time, Li's ID
        archive(r3_, kFrom + 250);
        archive(r2_, kFrom + 300);               // exactly at the dock's end: still during it
        recording(a, 5, 10, kFrom + 70, "b22");  // agrees; never archived
        catalog_.end_dock(a2_, kFrom + 300, "not ready: battery 60% < 80%");
        catalog_.add_readiness({"SN-A", a2_, kFrom + 300, false, "not ready: battery 60% < 80%"});
        catalog_.add_readiness({"SN-A", a2_, kFrom + 900, true, "ready for duty"});
        r4_ = recording(a, 6, 4000, kTo, "A17");  // disagrees, captured at the period's end
        archive(r4_, kFrom + 301);

        // SN-B
        catalog_.register_device("SN-B", "Custodian B", "pool", "Head Zhang", kFrom - 2 * kDay);
        DeviceRow b = catalog_.upsert_device("SN-B", "Maker", "BC-2", "2.0", kFrom);
        b1_ = catalog_.begin_dock(b.id, 3, kFrom);
        catalog_.end_dock(b1_, kFrom + 600, "ready for duty");

        // SN-C
        DeviceRow c = catalog_.upsert_device("SN-C", "Other", "X-9", "0.1", kTo);
        c1_ = catalog_.begin_dock(c.id, 4, kTo);
        archive(recording(c, 1, 100, kTo - 10, ""), kTo + 50);
        catalog_.end_dock(c1_, kTo + 100, "needs custodian: unregistered camera");

        // SN-D
        catalog_.register_device("SN-D", "Custodian D", "Officer Zhao", "Head Zhang", kFrom);
        catalog_.retire_device("SN-D", "lost", kTo, "uid 1000 (lee)");

        // SN-E
        DeviceRow e = catalog_.upsert_device("SN-E", "Maker", "BC-1", "1.0", kFrom + 5000);
        e1_ = catalog_.begin_dock(e.id, 5, kFrom + 5000);
        catalog_.add_health_check({e1_, kFrom + 5010, 90, true, "", 64 * kGiB, 60 * kGiB});
        r7_ = recording(e, 1, 500, kFrom + 4000, "", "bad\x1bname.mp4");
        archive(r7_, kFrom + 5020);
        wipe(r7_, kFrom + 5030);
    }

    TempDir dir_;
    Catalog catalog_;
    std::int64_t r0_ = 0, r1_ = 0, r2_ = 0, r3_ = 0, r4_ = 0, r7_ = 0;
    std::int64_t a2_ = 0, b1_ = 0, c1_ = 0, e1_ = 0;
};

std::vector<std::string> serials_of(const auto& rows) {
    std::vector<std::string> serials;
    for (const auto& row : rows) serials.push_back(row.serial);
    return serials;
}

std::vector<std::int64_t> ids_of(const std::vector<reports::RecordingFacts>& rows) {
    std::vector<std::int64_t> ids;
    for (const auto& row : rows) ids.push_back(row.id);
    return ids;
}

using Serials = std::vector<std::string>;

TEST_F(ReportInputTest, AssignmentsListEveryDeviceWithItsEntryAndLastOffload) {
    auto input = read_assignments_input(catalog_, kPeriod, "cradle-1");
    EXPECT_EQ(input.cradle, "cradle-1");
    EXPECT_EQ(input.period.from, kFrom);
    EXPECT_EQ(input.period.to, kTo);
    ASSERT_EQ(serials_of(input.devices), (Serials{"SN-A", "SN-B", "SN-C", "SN-D", "SN-E"}));

    const auto& a = input.devices[0];
    EXPECT_EQ(a.model, "BC-1");
    EXPECT_EQ(a.firmware, "1.1");
    EXPECT_TRUE(a.registered);
    EXPECT_FALSE(a.retired);
    EXPECT_EQ(a.retired_at, 0);
    EXPECT_EQ(a.custodian, "Custodian A");
    EXPECT_EQ(a.officer, "Officer Wang");
    EXPECT_EQ(a.head, "Head Zhang");
    EXPECT_EQ(a.first_seen, kFrom - kDay + 50);
    EXPECT_EQ(a.last_seen, kFrom + 100);
    EXPECT_EQ(a.last_offload, kFrom + 301);

    const auto& b = input.devices[1];
    EXPECT_EQ(b.officer, "pool");
    EXPECT_EQ(b.last_offload, 0) << "nothing offloaded";
    const auto& c = input.devices[2];
    EXPECT_FALSE(c.registered);
    EXPECT_EQ(c.custodian, "");
    EXPECT_EQ(c.model, "X-9");
    EXPECT_EQ(c.last_offload, kTo + 50) << "the entries are as they are now, not in the period";
    const auto& d = input.devices[3];
    EXPECT_TRUE(d.retired);
    EXPECT_EQ(d.retired_at, kTo);
    EXPECT_EQ(d.officer, "Officer Zhao");
    EXPECT_EQ(d.first_seen, 0) << "never docked";
    EXPECT_EQ(d.last_seen, 0);
    EXPECT_EQ(d.last_offload, 0);
    EXPECT_EQ(input.devices[4].last_offload, kFrom + 5020);
}

TEST_F(ReportInputTest, AssignmentsGiveEachDevicesLatestDockWithItsHealthClockAndOffload) {
    auto input = read_assignments_input(catalog_, kPeriod, "cradle-1");
    ASSERT_EQ(serials_of(input.last_docks), (Serials{"SN-A", "SN-B", "SN-C", "SN-E"}));

    const auto& a = input.last_docks[0];
    EXPECT_EQ(a.dock_id, a2_);
    EXPECT_EQ(a.bay, 2);
    EXPECT_EQ(a.started_at, kFrom + 100);
    EXPECT_EQ(a.ended_at, kFrom + 300);
    EXPECT_EQ(a.outcome, "not ready: battery 60% < 80%");
    EXPECT_TRUE(a.health_checked);
    EXPECT_EQ(a.battery_percent, 60) << "the dock's last reading";
    EXPECT_TRUE(a.charging);
    EXPECT_EQ(a.faults, "");
    EXPECT_EQ(a.storage_free_bytes, 32 * kGiB);
    EXPECT_TRUE(a.clock_measured);
    EXPECT_EQ(a.clock_drift_ms, -2500);
    EXPECT_TRUE(a.clock_corrected);
    EXPECT_EQ(a.clock_note, "corrected; now +0 ms");
    EXPECT_EQ(a.recordings_archived, 3u) << "r1, r3 and r2 (at the dock's end), not r4 after it";
    EXPECT_EQ(a.bytes_archived, 6000u);
    EXPECT_EQ(a.recordings_wiped, 2u) << "r0 (archived at an earlier dock) and r1";

    const auto& b = input.last_docks[1];
    EXPECT_EQ(b.dock_id, b1_);
    EXPECT_EQ(b.bay, 3);
    EXPECT_EQ(b.outcome, "ready for duty");
    EXPECT_FALSE(b.health_checked);
    EXPECT_EQ(b.battery_percent, 0);
    EXPECT_FALSE(b.clock_measured);
    EXPECT_EQ(b.recordings_archived, 0u);
    EXPECT_EQ(b.recordings_wiped, 0u);

    EXPECT_EQ(input.last_docks[2].dock_id, c1_) << "the latest dock, whatever the period";

    const auto& e = input.last_docks[3];
    EXPECT_EQ(e.dock_id, e1_);
    EXPECT_EQ(e.ended_at, 0) << "still docked";
    EXPECT_EQ(e.outcome, "");
    EXPECT_EQ(e.battery_percent, 90);
    EXPECT_EQ(e.recordings_archived, 1u) << "an open dock counts everything since it started";
    EXPECT_EQ(e.bytes_archived, 500u);
    EXPECT_EQ(e.recordings_wiped, 1u);
}

TEST_F(ReportInputTest, AssignmentsReadinessIsTheLatestVerdictOrElseTheLatestDocksOutcome) {
    auto input = read_assignments_input(catalog_, kPeriod, "cradle-1");
    ASSERT_EQ(serials_of(input.readiness), (Serials{"SN-A", "SN-B", "SN-C", "SN-E"}))
        << "SN-D never docked";
    const auto& a = input.readiness[0];
    EXPECT_EQ(a.at, kFrom + 900);
    EXPECT_TRUE(a.ready);
    EXPECT_EQ(a.verdict, "ready for duty");
    const auto& b = input.readiness[1];
    EXPECT_EQ(b.at, kFrom + 600);
    EXPECT_TRUE(b.ready);
    EXPECT_EQ(b.verdict, "ready for duty");
    const auto& c = input.readiness[2];
    EXPECT_EQ(c.at, kTo + 100);
    EXPECT_FALSE(c.ready);
    EXPECT_EQ(c.verdict, "needs custodian: unregistered camera");
    const auto& e = input.readiness[3];
    EXPECT_EQ(e.at, kFrom + 5000) << "still in its bay: since its dock started";
    EXPECT_FALSE(e.ready);
    EXPECT_EQ(e.verdict, "docked: being checked");
}

// A camera ready after one dock, then docked again: what the report says of it follows its
// latest dock, not the verdict of the one before.
TEST(ReportInput, ReadinessFollowsALaterDockThatGaveNoVerdict) {
    TempDir dir;
    Catalog catalog(dir.path() / "catalog.sqlite");
    DeviceRow device = catalog.upsert_device("SN-K", "Maker", "BC-1", "1.0", kFrom);
    const std::int64_t first = catalog.begin_dock(device.id, 1, kFrom + 10);
    catalog.end_dock(first, kFrom + 100, "ready for duty");
    catalog.add_readiness({"SN-K", first, kFrom + 100, true, "ready for duty"});
    const auto readiness_now = [&] {
        auto input = read_assignments_input(catalog, kPeriod, "c");
        EXPECT_EQ(input.readiness.size(), 1u);
        return input.readiness.empty() ? reports::ReadinessFacts{} : input.readiness[0];
    };
    EXPECT_TRUE(readiness_now().ready);

    // Docked again: being checked, not ready, since the dock started.
    catalog.begin_dock(device.id, 2, kFrom + 200);
    auto docked = readiness_now();
    EXPECT_FALSE(docked.ready);
    EXPECT_EQ(docked.verdict, "docked: being checked");
    EXPECT_EQ(docked.at, kFrom + 200);

    // The daemon was killed during that dock; the next start closes it, writing no verdict.
    catalog.close_open_docks(kFrom + 300);
    auto interrupted = readiness_now();
    EXPECT_FALSE(interrupted.ready);
    EXPECT_EQ(interrupted.verdict, "interrupted");
    EXPECT_EQ(interrupted.at, kFrom + 300);

    // A verdict of the latest dock is the readiness again, and so is any verdict given after
    // the latest dock started.
    const std::int64_t third = catalog.begin_dock(device.id, 1, kFrom + 400);
    catalog.add_readiness({"SN-K", third, kFrom + 400, true, "ready for duty"});
    EXPECT_TRUE(readiness_now().ready);
    EXPECT_EQ(readiness_now().at, kFrom + 400);
    catalog.end_dock(third, kFrom + 500, "unplugged during wipe");
    catalog.add_readiness({"SN-K", 0, kFrom + 500, false, "not ready: no dock named"});
    EXPECT_EQ(readiness_now().verdict, "not ready: no dock named");

    // The dock report gives each dock its own latest verdict, never another dock's.
    auto day = read_dock_day_input(catalog, "2026-03-29", kPeriod, "c");
    ASSERT_EQ(day.docks.size(), 3u);
    EXPECT_EQ(day.docks[0].outcome, "ready for duty");
    EXPECT_EQ(day.docks[1].outcome, "interrupted");
    EXPECT_EQ(day.docks[2].outcome, "ready for duty");
}

TEST_F(ReportInputTest, AssignmentsChangesAreThoseFromThePeriodsStartUpToItsEnd) {
    auto input = read_assignments_input(catalog_, kPeriod, "cradle-1");
    ASSERT_EQ(input.changes.size(), 2u)
        << "SN-D registered at the start counts; SN-D retired at the end does not";
    const auto& registered = input.changes[0];
    EXPECT_EQ(registered.serial, "SN-D");
    EXPECT_EQ(registered.at, kFrom);
    EXPECT_EQ(registered.action, "registered");
    EXPECT_EQ(registered.custodian, "Custodian D");
    EXPECT_EQ(registered.officer, "Officer Zhao");
    EXPECT_EQ(registered.head, "Head Zhang");
    EXPECT_EQ(registered.previous_custodian, "");
    EXPECT_EQ(registered.changed_by, "configuration");
    EXPECT_EQ(registered.reason, "");
    const auto& reassigned = input.changes[1];
    EXPECT_EQ(reassigned.serial, "SN-A");
    EXPECT_EQ(reassigned.at, kFrom + 50);
    EXPECT_EQ(reassigned.action, "reassigned");
    EXPECT_EQ(reassigned.officer, "Officer Wang");
    EXPECT_EQ(reassigned.previous_officer, "Officer Li");
    EXPECT_EQ(reassigned.custodian, "Custodian A");
    EXPECT_EQ(reassigned.previous_custodian, "Custodian A");
    EXPECT_EQ(reassigned.previous_head, "Head Zhang");
    EXPECT_EQ(reassigned.changed_by, "uid 1000 (lee)");
    EXPECT_EQ(reassigned.reason, "shift change");

    auto next_day = read_assignments_input(catalog_, {kTo, kTo + kDay}, "cradle-1");
    ASSERT_EQ(next_day.changes.size(), 1u);
    EXPECT_EQ(next_day.changes[0].action, "retired");
}

TEST_F(ReportInputTest, AssignmentsDisagreementsAreThoseCapturedInThePeriod) {
    auto input = read_assignments_input(catalog_, kPeriod, "cradle-1");
    ASSERT_EQ(ids_of(input.disagreements), (std::vector<std::int64_t>{r2_, r3_}))
        << "r1 was captured before the period, r4 at its end";
    const auto& r2 = input.disagreements[0];
    EXPECT_EQ(r2.serial, "SN-A");
    EXPECT_EQ(r2.name, "VID_3.MP4");
    EXPECT_EQ(r2.size, 2000u);
    EXPECT_EQ(r2.captured_at, kFrom);
    EXPECT_EQ(r2.archived_at, kFrom + 300);
    EXPECT_EQ(r2.wiped_at, 0);
    EXPECT_EQ(r2.officer, "Officer Li");
    EXPECT_EQ(r2.camera_officer_id, "C33");
    EXPECT_TRUE(r2.attribution_disagrees);
    const auto& r3 = input.disagreements[1];
    EXPECT_EQ(r3.officer, "Officer Wang");
    EXPECT_EQ(r3.camera_officer_id, "A17");

    ASSERT_EQ(input.officers.size(), 3u);
    EXPECT_EQ(input.officers[0].badge, "A17");
    EXPECT_EQ(input.officers[0].name, "Officer Li");
    EXPECT_EQ(input.officers[0].team, "Team 1");
    EXPECT_EQ(input.officers[1].badge, "B22");
}

TEST_F(ReportInputTest, DockDayHasTheDocksStartedFromItsStartUpToItsEnd) {
    auto input = read_dock_day_input(catalog_, "2026-03-29", kPeriod, "cradle-1");
    EXPECT_EQ(input.cradle, "cradle-1");
    EXPECT_EQ(input.date, "2026-03-29");
    EXPECT_EQ(input.period.from, kFrom);
    EXPECT_EQ(input.period.to, kTo);
    ASSERT_EQ(input.docks.size(), 3u) << "SN-C's dock starts at the day's end: the next day's";
    EXPECT_EQ(input.docks[0].dock_id, b1_) << "a dock at the day's start is the day's";
    EXPECT_EQ(input.docks[1].dock_id, a2_);
    EXPECT_EQ(input.docks[2].dock_id, e1_);
    const auto& a = input.docks[1];
    EXPECT_EQ(a.serial, "SN-A");
    EXPECT_EQ(a.outcome, "ready for duty")
        << "it ended not ready and turned ready charging in its bay: its latest verdict";
    EXPECT_EQ(input.docks[0].outcome, "ready for duty") << "no verdict row: as the dock ended";
    EXPECT_EQ(a.battery_percent, 60);
    EXPECT_EQ(a.clock_drift_ms, -2500);
    EXPECT_EQ(a.recordings_archived, 3u);
    EXPECT_EQ(a.bytes_archived, 6000u);
    EXPECT_EQ(a.recordings_wiped, 2u);

    ASSERT_EQ(serials_of(input.devices), (Serials{"SN-A", "SN-B", "SN-E"}));
    EXPECT_EQ(input.devices[0].officer, "Officer Wang");
    EXPECT_EQ(input.devices[0].last_offload, kFrom + 301);
    EXPECT_EQ(input.officers.size(), 3u);

    auto next = read_dock_day_input(catalog_, "2026-03-30", {kTo, kTo + kDay}, "cradle-1");
    ASSERT_EQ(next.docks.size(), 1u);
    EXPECT_EQ(next.docks[0].dock_id, c1_);
    EXPECT_EQ(next.docks[0].outcome, "needs custodian: unregistered camera");
    EXPECT_EQ(serials_of(next.devices), (Serials{"SN-C"}));
}

TEST_F(ReportInputTest, DockDayHasTheRecordingsArchivedOrWipedThatDayInTheOrderOfTheWork) {
    auto input = read_dock_day_input(catalog_, "2026-03-29", kPeriod, "cradle-1");
    ASSERT_EQ(ids_of(input.recordings), (std::vector<std::int64_t>{r0_, r1_, r3_, r2_, r4_, r7_}))
        << "r0 was archived the day before and wiped this day; SN-C's is archived the next day";
    const auto& r0 = input.recordings[0];
    EXPECT_EQ(r0.serial, "SN-A");
    EXPECT_EQ(r0.archived_at, kFrom - kDay + 200);
    EXPECT_EQ(r0.wiped_at, kFrom + 120);
    EXPECT_EQ(r0.officer, "") << "captured before the camera was registered";
    EXPECT_EQ(r0.camera_officer_id, "A17");
    EXPECT_FALSE(r0.attribution_disagrees);
    const auto& r7 = input.recordings[5];
    EXPECT_EQ(r7.serial, "SN-E");
    EXPECT_EQ(r7.name, "bad?name.mp4") << "a printable name";
    EXPECT_EQ(r7.size, 500u);
    EXPECT_EQ(r7.captured_at, kFrom + 4000);
    EXPECT_EQ(r7.archived_at, kFrom + 5020);
    EXPECT_EQ(r7.wiped_at, kFrom + 5030);
    EXPECT_EQ(r7.officer, "");
    EXPECT_EQ(r7.camera_officer_id, "");

    auto empty = read_dock_day_input(catalog_, "2026-01-01", {kFrom - 90 * kDay, kFrom - 89 * kDay},
                                     "cradle-1");
    EXPECT_TRUE(empty.docks.empty());
    EXPECT_TRUE(empty.recordings.empty());
    EXPECT_TRUE(empty.devices.empty());
}

TEST_F(ReportInputTest, AReadOnlyCatalogReadsTheSameFactsWhileTheWriterHasItOpen) {
    Catalog reader = Catalog::open_read_only(dir_.path() / "catalog.sqlite");
    auto mine = read_assignments_input(catalog_, kPeriod, "cradle-1");
    auto theirs = read_assignments_input(reader, kPeriod, "cradle-1");
    EXPECT_EQ(serials_of(theirs.devices), serials_of(mine.devices));
    EXPECT_EQ(serials_of(theirs.last_docks), serials_of(mine.last_docks));
    EXPECT_EQ(ids_of(theirs.disagreements), ids_of(mine.disagreements));
    EXPECT_EQ(read_dock_day_input(reader, "2026-03-29", kPeriod, "c").recordings.size(), 6u);
    // Reading leaves no transaction open: the writer goes on.
    catalog_.upsert_device("SN-F", "Maker", "BC-1", "1.0", kTo + 1000);
    EXPECT_EQ(read_assignments_input(reader, kPeriod, "c").devices.size(), 6u);
    EXPECT_EQ(read_assignments_input(catalog_, kPeriod, "c").devices.size(), 6u);
}

// The last recording of a dock is often archived and wiped in the second the dock ends: it is
// that dock's, unless the camera's next dock starts in that same second (a quick replug), when
// it is the next one's. No recording counts for two docks.
TEST(ReportInput, ARecordingOfTheSecondADockEndsCountsForOneDockOnly) {
    TempDir dir;
    Catalog catalog(dir.path() / "catalog.sqlite");
    const auto archive_and_wipe = [&](const DeviceRow& device, std::int64_t at) {
        const std::int64_t id =
            catalog.begin_recording(RecordingKey{device.id, 1, "VID_1.MP4", 100, kFrom}).id;
        catalog.mark_archived(id, Sha256::hex_of("1"), "x/1.mp4", at,
                              {"recording.archived", 1, "", id, ""});
        catalog.mark_wiped(id, at, {"recording.wiped", 1, "", id, ""});
    };
    DeviceRow alone = catalog.upsert_device("SN-P", "Maker", "BC-1", "1.0", kFrom);
    const std::int64_t p1 = catalog.begin_dock(alone.id, 1, kFrom + 10);
    archive_and_wipe(alone, kFrom + 100);
    catalog.end_dock(p1, kFrom + 100, "ready for duty");

    DeviceRow replugged = catalog.upsert_device("SN-Q", "Maker", "BC-1", "1.0", kFrom);
    const std::int64_t q1 = catalog.begin_dock(replugged.id, 2, kFrom + 10);
    catalog.end_dock(q1, kFrom + 100, "unplugged during wipe");
    const std::int64_t q2 = catalog.begin_dock(replugged.id, 2, kFrom + 100);
    archive_and_wipe(replugged, kFrom + 100);
    catalog.end_dock(q2, kFrom + 200, "ready for duty");

    auto day = read_dock_day_input(catalog, "2026-03-29", kPeriod, "c");
    ASSERT_EQ(day.docks.size(), 3u);
    const auto counts = [](const reports::DockFacts& dock) {
        return std::pair{dock.recordings_archived, dock.recordings_wiped};
    };
    using Counts = std::pair<std::uint64_t, std::uint64_t>;
    EXPECT_EQ(day.docks[0].dock_id, p1);
    EXPECT_EQ(counts(day.docks[0]), (Counts{1, 1})) << "at its end: still during it";
    EXPECT_EQ(day.docks[1].dock_id, q1);
    EXPECT_EQ(counts(day.docks[1]), (Counts{0, 0})) << "the next dock started in that second";
    EXPECT_EQ(day.docks[2].dock_id, q2);
    EXPECT_EQ(counts(day.docks[2]), (Counts{1, 1}));
    EXPECT_EQ(day.docks[2].bytes_archived, 100u);
}

TEST(ReportInput, AnEmptyCatalogGivesEmptyFacts) {
    TempDir dir;
    Catalog catalog(dir.path() / "catalog.sqlite");
    auto assignments = read_assignments_input(catalog, kPeriod, "c");
    EXPECT_TRUE(assignments.devices.empty());
    EXPECT_TRUE(assignments.last_docks.empty());
    EXPECT_TRUE(assignments.readiness.empty());
    EXPECT_TRUE(assignments.changes.empty());
    EXPECT_TRUE(assignments.disagreements.empty());
    EXPECT_TRUE(assignments.officers.empty());
    auto day = read_dock_day_input(catalog, "2026-03-29", kPeriod, "c");
    EXPECT_TRUE(day.docks.empty());
    EXPECT_TRUE(day.recordings.empty());
}

}  // namespace
}  // namespace cradle
