// SPDX-License-Identifier: Apache-2.0
// I1: a recording is deleted from a camera only when the bytes of that object, read from that
// camera in this dock, hashed to the archived SHA-256. A name, size, capture time, handle or
// serial that matches is never proof. After the delete the camera is listed again: what is
// still there was not wiped.
#include "tests/faults/rig.hpp"

#include "core/catalog/catalog.hpp"
#include "sim/sim_camera.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

namespace cradle::test {
namespace {

std::size_t on_camera(const Rig& rig, const hw::sim::CameraSpec& camera) {
    return hw::sim::stored_recordings(hw::sim::camera_dir(rig.spec.storage_dir, camera)).size();
}

std::size_t audited(const Rig& rig, const std::string& event) {
    Catalog catalog = Catalog::open_read_only(rig.state / "catalog.sqlite");
    const auto rows = catalog.audit_rows();
    return static_cast<std::size_t>(std::count_if(
        rows.begin(), rows.end(), [&](const AuditRow& row) { return row.event == event; }));
}

// Two cameras that present one serial, with recordings of the same names, sizes, capture
// times and handles but other bytes (cheap cameras ship with duplicate serials).
void make_twins(Rig& rig) {
    auto& first = rig.camera(0);
    auto& second = rig.camera(1);
    second.serial = first.serial;
    second.seed = first.seed;
    second.content_salt = 0x5eed;
    second.storage_name = "TWIN-OF-" + first.serial;
}

TEST(WipeProof, TwoCamerasWithOneSerialAtOnceLeaveTheSecondUntouched) {
    Rig rig(2, 4);
    make_twins(rig);
    auto reports = rig.run();
    ASSERT_EQ(reports.size(), 2u);
    const DockReport* refused = nullptr;
    const DockReport* done = nullptr;
    for (const auto& report : reports) {
        (report.outcome.find("another camera presenting serial") != std::string::npos ? refused
                                                                                      : done) =
            &report;
    }
    ASSERT_NE(refused, nullptr) << reports[0].outcome << " / " << reports[1].outcome;
    ASSERT_NE(done, nullptr) << reports[0].outcome << " / " << reports[1].outcome;
    EXPECT_EQ(refused->light, hw::BayLight::needs_custodian);
    EXPECT_NE(refused->outcome.find("neither offloaded nor wiped"), std::string::npos);
    EXPECT_EQ(refused->archived + refused->wiped, 0u);
    EXPECT_EQ(done->light, hw::BayLight::ready) << done->outcome;
    EXPECT_EQ(done->wiped, 4u);
    const auto& refused_camera = rig.camera(refused->bay - 1);
    EXPECT_EQ(on_camera(rig, refused_camera), 4u) << "the refused camera keeps its footage";
    EXPECT_EQ(audited(rig, "device.duplicate_serial"), 1u);
    EXPECT_EQ(join_problems(rig.invariant_problems()), "");

    // Docked alone later, its lookalike recordings are read, found to differ from what the
    // catalog holds under their names, and archived as recordings of their own.
    for (auto& camera : rig.spec.cameras) {
        if (camera.storage_name != refused_camera.storage_name) camera.bay = 0;
    }
    auto second = report_for(rig.run(), refused->bay);
    EXPECT_EQ(second.archived, 4u) << second.outcome;
    EXPECT_EQ(second.already_archived, 0u);
    EXPECT_EQ(second.wiped, 4u);
    EXPECT_EQ(join_problems(rig.invariant_problems()), "");
    EXPECT_EQ(join_problems(rig.not_archived_and_wiped()), "");
}

// A camera whose clock was reset and whose file counter restarted records again under the
// names, sizes, times and handles of recordings archived and wiped at an earlier dock.
TEST(WipeProof, RecordingThatLooksLikeAnArchivedOneIsArchivedBeforeItIsWiped) {
    Rig rig(1, 4);
    auto first = report_for(rig.run(), 1);
    ASSERT_EQ(first.wiped, 4u) << first.outcome;
    ASSERT_EQ(join_problems(rig.invariant_problems()), "");

    auto& camera = rig.camera(0);
    std::filesystem::remove_all(hw::sim::camera_dir(rig.spec.storage_dir, camera));
    camera.content_salt = 0xc10c;
    rig.provision();
    auto again = report_for(rig.run(), 1);
    EXPECT_EQ(again.archived, 4u) << again.outcome;
    EXPECT_EQ(again.already_archived, 0u);
    EXPECT_EQ(again.wiped, 4u);
    EXPECT_EQ(join_problems(rig.invariant_problems()), "");
    EXPECT_EQ(join_problems(recordings_left_on_cameras(rig.spec)), "");
    Catalog catalog = Catalog::open_read_only(rig.state / "catalog.sqlite");
    EXPECT_EQ(catalog.recordings_in_state(RecordingState::wiped).size(), 8u);
}

// The same camera re-docked before its recordings were wiped (an unplug after the copy) is
// read again and compared: only then is anything deleted, and nothing is copied twice.
TEST(WipeProof, RecordingArchivedAtAnEarlierDockIsReadAgainBeforeItIsWiped) {
    Rig rig(1, 3);
    rig.camera(0).faults.refuse_delete = true;
    auto first = report_for(rig.run(), 1);
    ASSERT_EQ(first.archived, 3u) << first.outcome;
    ASSERT_EQ(first.wiped, 0u);
    auto again = report_for(rig.run_clean(), 1);
    EXPECT_EQ(again.archived, 0u) << again.outcome;
    EXPECT_EQ(again.already_archived, 3u);
    EXPECT_EQ(again.wiped, 3u);
    EXPECT_EQ(again.light, hw::BayLight::ready) << again.outcome;
    EXPECT_EQ(join_problems(rig.invariant_problems()), "");
    EXPECT_EQ(join_problems(rig.not_archived_and_wiped()), "");
}

TEST(WipeProof, DeleteThatAnswersOkAndKeepsTheObjectIsNotAWipe) {
    Rig rig(2, 5);
    rig.camera(0).faults.ignore_delete = true;
    auto reports = rig.run();
    const auto& report = report_for(reports, 1);
    EXPECT_EQ(report.archived, 5u);
    EXPECT_EQ(report.wiped, 0u);
    EXPECT_EQ(report.delete_not_effective, 5u);
    EXPECT_EQ(report.left_on_camera, 5u);
    EXPECT_EQ(report.light, hw::BayLight::needs_custodian);
    EXPECT_NE(report.outcome.find("delete not effective"), std::string::npos) << report.outcome;
    expect_other_bays_done(reports, 1, 5);
    EXPECT_EQ(on_camera(rig, rig.camera(0)), 5u);
    EXPECT_EQ(audited(rig, "recording.delete_not_effective"), 5u);
    Catalog catalog = Catalog::open_read_only(rig.state / "catalog.sqlite");
    for (const auto& row : catalog.recordings()) {
        if (row.key.device_id == catalog.find_device("TEST-1")->id) {
            EXPECT_EQ(row.state, RecordingState::archived) << "not wiped: still on the camera";
        }
    }
    EXPECT_EQ(join_problems(rig.invariant_problems()), "");
}

}  // namespace
}  // namespace cradle::test
