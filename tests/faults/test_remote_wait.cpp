// SPDX-License-Identifier: Apache-2.0
// wipe_after = "remote" with a central archive that cannot be reached (nothing listens at its
// address): the camera is archived locally and waits at the wipe; taken out, or stopped, it
// keeps every recording, and nothing is lost.
#include "core/catalog/catalog.hpp"
#include "sim/sim_camera.hpp"
#include "tests/faults/rig.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <string>

namespace cradle::test {
namespace {

void use_unreachable_central_archive(Rig& rig) {
    const auto keys = rig.root / "remote-credentials";
    std::ofstream(keys) << "access_key = \"cradle\"\nsecret_key = \"secret\"\n";
    ::chmod(keys.c_str(), 0600);
    RemoteConfig remote;
    remote.endpoint = "http://127.0.0.1:9";  // the discard port: nothing answers
    remote.bucket = "county";
    remote.cradle_id = "cradle-1";
    remote.credentials_file = keys;
    remote.wipe_after = WipeAfter::remote;
    rig.config.remote = remote;
}

std::size_t on_camera(const Rig& rig, int index) {
    const auto& camera = rig.spec.cameras.at(index);
    return hw::sim::stored_recordings(hw::sim::camera_dir(rig.spec.storage_dir, camera)).size();
}

TEST(RemoteWait, ACameraTakenOutWhileWaitingKeepsAllItsFootage) {
    Rig rig(1, 3);
    use_unreachable_central_archive(rig);
    bool taken_out = false;
    const auto reports = rig.run_until_logged([&](const std::vector<std::string>& lines) {
        if (!taken_out && lines_with(lines, "wait for the central archive") > 0) {
            taken_out = true;
            rig.cradle().unplug(1);
        }
        return lines_with(lines, "unplugged during") > 0;
    });
    EXPECT_FALSE(rig.timed_out());
    ASSERT_EQ(reports.size(), 1u);
    EXPECT_EQ(reports[0].wiped, 0u) << reports[0].outcome;
    EXPECT_EQ(reports[0].archived, 3u) << reports[0].outcome;
    EXPECT_EQ(reports[0].light, hw::BayLight::off) << reports[0].outcome;
    EXPECT_NE(reports[0].outcome.find("the wait for the central archive"), std::string::npos)
        << reports[0].outcome;
    EXPECT_EQ(on_camera(rig, 0), 3u);
    EXPECT_EQ(join_problems(rig.loss_problems()), "");
    Catalog catalog = Catalog::open_read_only(rig.state / "catalog.sqlite");
    EXPECT_EQ(catalog.recordings_in_state(RecordingState::archived).size(), 3u);
    EXPECT_TRUE(catalog.recordings_in_state(RecordingState::wiped).empty());
}

TEST(RemoteWait, AStopWhileWaitingWipesNothingAndTheNextStartWaitsAgain) {
    Rig rig(2, 2);
    use_unreachable_central_archive(rig);
    const auto waiting = [](const std::vector<std::string>& lines) {
        return lines_with(lines, "wait for the central archive") == 2;
    };
    const auto first = rig.run_until_logged(waiting);
    EXPECT_FALSE(rig.timed_out());
    ASSERT_EQ(first.size(), 2u);
    for (const auto& report : first) {
        EXPECT_EQ(report.wiped, 0u) << report.outcome;
        EXPECT_NE(report.outcome.find("stopped during the wait for the central archive"),
                  std::string::npos)
            << report.outcome;
    }
    EXPECT_EQ(on_camera(rig, 0), 2u);
    EXPECT_EQ(on_camera(rig, 1), 2u);
    EXPECT_EQ(join_problems(rig.loss_problems()), "");

    // Docked again: proven archived from their bytes, and waiting again, not wiped.
    const std::size_t lines_before = rig.log_lines().size();
    const auto second = rig.run_until_logged([&](const std::vector<std::string>& lines) {
        return waiting(std::vector<std::string>(
            lines.begin() + static_cast<std::ptrdiff_t>(lines_before), lines.end()));
    });
    EXPECT_FALSE(rig.timed_out());
    for (const auto& report : second) EXPECT_EQ(report.wiped, 0u) << report.outcome;
    EXPECT_EQ(on_camera(rig, 0), 2u);
    EXPECT_EQ(on_camera(rig, 1), 2u);
    EXPECT_EQ(join_problems(rig.loss_problems()), "");
    Catalog catalog = Catalog::open_read_only(rig.state / "catalog.sqlite");
    EXPECT_EQ(catalog.recordings_in_state(RecordingState::archived).size(), 4u);
    EXPECT_EQ(catalog.replication_summary().waiting, 4);
}

}  // namespace
}  // namespace cradle::test
