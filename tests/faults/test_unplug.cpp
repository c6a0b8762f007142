// SPDX-License-Identifier: Apache-2.0
// I1/I3 against unplugging: a camera pulled out at every step of the protocol, and at random
// bytes of a transfer, loses nothing; re-docked, it is archived in full and wiped. Each sweep
// runs with the cameras driven directly and through the PTP driver.
#include "tests/faults/rig.hpp"

#include <gtest/gtest.h>

#include <random>

namespace cradle::test {
namespace {

// The parameter: drive the cameras through the PTP driver.
class Unplug : public ::testing::TestWithParam<bool> {
  protected:
    void drive(Rig& rig) const {
        if (GetParam()) rig.use_ptp();
    }
};

TEST_P(Unplug, AtEveryDeviceOperationLosesNothingAndResumesOnReplug) {
    const int total = [&] {
        Rig rig(1, 3, 192 << 10);
        drive(rig);
        rig.run();
        return rig.cradle().camera(1)->operations();
    }();
    ASSERT_GT(total, 8);
    for (int op = 1; op <= total; ++op) {
        SCOPED_TRACE("unplugged at device operation " + std::to_string(op) + " of " +
                     std::to_string(total));
        Rig rig(1, 3, 192 << 10);
        drive(rig);
        rig.camera(0).faults.yank_at_op = op;
        auto first = rig.run();
        ASSERT_EQ(first.size(), 1u);
        EXPECT_EQ(first[0].light, hw::BayLight::off) << first[0].outcome;
        ASSERT_EQ(join_problems(rig.loss_problems()), "");

        rig.run_clean();
        ASSERT_EQ(join_problems(rig.invariant_problems()), "");
        ASSERT_EQ(join_problems(rig.not_archived_and_wiped()), "");
    }
}

TEST_P(Unplug, AtRandomBytesLosesNothingAndResumesOnReplug) {
    const std::uint64_t total_bytes = 192 << 10;
    std::mt19937_64 random(20261126);
    for (int round = 0; round < 12; ++round) {
        std::uint64_t byte = random() % total_bytes;
        SCOPED_TRACE("unplugged after byte " + std::to_string(byte));
        Rig rig(1, 3, total_bytes);
        drive(rig);
        rig.camera(0).faults.yank_at_byte = byte;
        rig.run();
        ASSERT_EQ(join_problems(rig.loss_problems()), "");
        rig.run_clean();
        ASSERT_EQ(join_problems(rig.invariant_problems()), "");
        ASSERT_EQ(join_problems(rig.not_archived_and_wiped()), "");
    }
}

INSTANTIATE_TEST_SUITE_P(DirectAndOverPtp, Unplug, ::testing::Values(false, true),
                         [](const ::testing::TestParamInfo<bool>& info) {
                             return info.param ? "OverPtp" : "Direct";
                         });

TEST(UnplugOneBay, OneBayUnpluggedLeavesTheOtherBaysUntouched) {
    Rig rig(3, 3);
    rig.camera(1).faults.yank_at_byte = 1000;
    auto reports = rig.run();
    ASSERT_EQ(reports.size(), 3u);
    for (const auto& report : reports) {
        if (report.bay == 2) {
            EXPECT_EQ(report.light, hw::BayLight::off);
        } else {
            EXPECT_EQ(report.wiped, 3u) << "bay " << report.bay << ": " << report.outcome;
            EXPECT_EQ(report.light, hw::BayLight::ready);
        }
    }
    EXPECT_EQ(join_problems(rig.invariant_problems()), "");
}

}  // namespace
}  // namespace cradle::test
