// SPDX-License-Identifier: Apache-2.0
// I3 against a daemon killed outright: the service runs in a child process that SIGKILLs
// itself at a random file-system or device operation; the next start recovers, and nothing
// is lost, duplicated or left in staging.
#include "tests/faults/child_run.hpp"

#include <gtest/gtest.h>

#include <random>

namespace cradle::test {
namespace {

// Runs the service in a child process that kills itself at the given point.
// Returns true if the child died of SIGKILL, false if it finished first.
bool run_child_killed_at(Rig& rig, KillPoint point, int* fs_ops = nullptr,
                         int* device_ops = nullptr) {
    const ChildRun run = run_child(rig, point);
    if (fs_ops) *fs_ops = run.fs_ops;
    if (device_ops) *device_ops = run.device_ops;
    EXPECT_NE(run.end, ChildRun::End::failed) << "child status " << run.status;
    return run.end == ChildRun::End::killed;
}

TEST(Sigkill, AtRandomPointsThenRestartRecoversAndLosesNothing) {
    int total_fs = 0, total_device = 0;
    {
        Rig rig(1, 3, 192 << 10);
        rig.provision();
        ASSERT_FALSE(run_child_killed_at(rig, {}, &total_fs, &total_device));
        ASSERT_EQ(join_problems(rig.not_archived_and_wiped()), "");
    }
    ASSERT_GT(total_fs, 10);
    ASSERT_GT(total_device, 10);

    const unsigned seed = 4242;
    std::mt19937 random(seed);
    for (int round = 0; round < 16; ++round) {
        KillPoint point;
        if (round % 2 == 0) {
            point.fs_op = 1 + static_cast<int>(random() % total_fs);
        } else {
            point.device_op = 1 + static_cast<int>(random() % total_device);
        }
        SCOPED_TRACE("seed " + std::to_string(seed) + ": SIGKILL at file-system op " +
                     std::to_string(point.fs_op) + " / device op " +
                     std::to_string(point.device_op));
        Rig rig(1, 3, 192 << 10);
        rig.provision();
        EXPECT_TRUE(run_child_killed_at(rig, point));
        ASSERT_EQ(join_problems(rig.loss_problems()), "");
        rig.run();  // restart: recovery, then the camera is docked again
        ASSERT_EQ(join_problems(rig.invariant_problems()), "");
        ASSERT_EQ(join_problems(rig.not_archived_and_wiped()), "");
    }
}

TEST(Sigkill, AtEveryDeviceOperationOfTheWipePhase) {
    int total_device = 0;
    {
        Rig rig(1, 3, 96 << 10);
        rig.provision();
        ASSERT_FALSE(run_child_killed_at(rig, {}, nullptr, &total_device));
    }
    // The last operations of a dock are the re-listing, the deletions and the final health
    // check: kill at each of them.
    for (int op = total_device - 5; op <= total_device; ++op) {
        SCOPED_TRACE("SIGKILL at device op " + std::to_string(op));
        Rig rig(1, 3, 96 << 10);
        rig.provision();
        EXPECT_TRUE(run_child_killed_at(rig, KillPoint{0, op}));
        ASSERT_EQ(join_problems(rig.loss_problems()), "");
        rig.run();
        ASSERT_EQ(join_problems(rig.invariant_problems()), "");
        ASSERT_EQ(join_problems(rig.not_archived_and_wiped()), "");
    }
}

}  // namespace
}  // namespace cradle::test
