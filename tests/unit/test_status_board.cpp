// SPDX-License-Identifier: Apache-2.0
// The status board: what a bay shows while a camera docks, offloads and leaves, and the rate
// and ETA computed from the bytes the copies add.
#include "engine/status_board.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

namespace cradle {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

struct Recorder {
    std::vector<BayStatus> seen;
    explicit Recorder(StatusBoard& board) {
        board.subscribe([this](const BayStatus& status) { seen.push_back(status); });
    }
};

TEST(StatusBoard, BaysStartEmptyAndAreNumberedFromOne) {
    StatusBoard board(3);
    ASSERT_EQ(board.all().size(), 3u);
    for (int bay = 1; bay <= 3; ++bay) {
        EXPECT_EQ(board.get(bay).bay, bay);
        EXPECT_EQ(board.get(bay).phase, BayPhase::empty);
        EXPECT_EQ(board.get(bay).eta_s, -1);
    }
    EXPECT_THROW(board.get(0), std::out_of_range);
    EXPECT_THROW(board.get(4), std::out_of_range);
    EXPECT_THROW(board.set_phase(4, BayPhase::done), std::out_of_range);
}

TEST(StatusBoard, DockThroughOffloadToDoneThenUndock) {
    StatusBoard board(2);
    Recorder recorder(board);
    board.docked(2, 1'700'000'000);
    board.set_light(2, hw::BayLight::working);
    board.set_device(2, "BWC-0007", "BX-9");
    board.set_phase(2, BayPhase::offloading);
    board.offload_planned(2, 2, 3000);
    board.recording_finished(2, 1000);
    BayStatus mid = board.get(2);
    EXPECT_EQ(mid.phase, BayPhase::offloading);
    EXPECT_EQ(mid.serial, "BWC-0007");
    EXPECT_EQ(mid.docked_since, 1'700'000'000);
    EXPECT_EQ(mid.recordings_done, 1u);
    EXPECT_EQ(mid.recordings_total, 2u);
    EXPECT_EQ(mid.bytes_done, 1000u);
    EXPECT_EQ(mid.bytes_total, 3000u);

    board.recording_finished(2, 2000);
    board.set_light(2, hw::BayLight::ready);
    board.finished(2, "ready for duty");
    BayStatus done = board.get(2);
    EXPECT_EQ(done.phase, BayPhase::done);
    EXPECT_EQ(done.outcome, "ready for duty");
    EXPECT_EQ(done.bytes_done, 3000u);
    EXPECT_EQ(done.light, hw::BayLight::ready);
    EXPECT_EQ(board.get(1).phase, BayPhase::empty);  // the other bay is untouched

    board.set_light(2, hw::BayLight::off);
    board.undocked(2);
    BayStatus empty = board.get(2);
    EXPECT_EQ(empty.phase, BayPhase::empty);
    EXPECT_TRUE(empty.serial.empty());
    EXPECT_EQ(empty.bytes_total, 0u);
    EXPECT_EQ(empty.docked_since, 0);

    ASSERT_FALSE(recorder.seen.empty());
    for (const auto& status : recorder.seen) EXPECT_EQ(status.bay, 2);
    EXPECT_EQ(recorder.seen.back().phase, BayPhase::empty);
}

TEST(StatusBoard, UnchangedPhaseOrLightNotifiesNobody) {
    StatusBoard board(1);
    board.docked(1, 1);
    Recorder recorder(board);
    board.set_phase(1, BayPhase::identifying);
    board.set_light(1, hw::BayLight::off);
    EXPECT_TRUE(recorder.seen.empty());
}

TEST(StatusBoard, SampleGivesRateAndEtaFromTheCopyCounter) {
    StatusBoard board(1);
    board.docked(1, 1);
    board.set_phase(1, BayPhase::offloading);
    board.offload_planned(1, 1, 100'000'000);
    Recorder recorder(board);
    const Clock::time_point start{};
    board.sample(start);
    board.copy_counter(1) += 10'000'000;
    board.sample(start + 1s);
    board.copy_counter(1) += 10'000'000;
    board.sample(start + 2s);
    BayStatus status = board.get(1);
    EXPECT_EQ(status.bytes_done, 20'000'000u);
    EXPECT_DOUBLE_EQ(status.rate_bytes_per_s, 10'000'000.0);
    EXPECT_EQ(status.eta_s, 8);
    ASSERT_FALSE(recorder.seen.empty());
    EXPECT_EQ(recorder.seen.back().bytes_done, 20'000'000u);

    // Nothing moved: no notification.
    const std::size_t notified = recorder.seen.size();
    board.sample(start + 2s);
    EXPECT_EQ(recorder.seen.size(), notified);
}

TEST(StatusBoard, RateFollowsTheLastSecondsNotTheWholeCopy) {
    StatusBoard board(1);
    board.docked(1, 1);
    board.set_phase(1, BayPhase::offloading);
    board.offload_planned(1, 1, 1'000'000'000);
    const Clock::time_point start{};
    // 20 s at 20 MB/s, then 10 s at 5 MB/s: the rate reads 5 MB/s, not the average.
    for (int second = 0; second <= 30; ++second) {
        board.sample(start + std::chrono::seconds(second));
        const std::uint64_t step = second < 20 ? 20'000'000 : 5'000'000;
        board.copy_counter(1) += step;
    }
    EXPECT_NEAR(board.get(1).rate_bytes_per_s, 5'000'000.0, 1.0);
}

TEST(StatusBoard, FailedAttemptDoesNotCountTwice) {
    StatusBoard board(1);
    board.docked(1, 1);
    board.set_phase(1, BayPhase::offloading);
    board.offload_planned(1, 1, 1000);
    board.copy_counter(1) += 600;  // the first attempt fails after 600 bytes
    board.copy_counter(1) = 0;     // the second attempt starts again
    board.copy_counter(1) += 1000;
    board.sample(Clock::time_point{});
    EXPECT_EQ(board.get(1).bytes_done, 1000u);
    board.recording_finished(1, 1000);
    EXPECT_EQ(board.get(1).bytes_done, 1000u);
    EXPECT_EQ(board.get(1).recordings_done, 1u);
}

TEST(StatusBoard, PhaseNamesAreTheApiNames) {
    EXPECT_STREQ(to_string(BayPhase::empty), "empty");
    EXPECT_STREQ(to_string(BayPhase::offloading), "offloading");
    EXPECT_STREQ(to_string(BayPhase::power_cycling), "power-cycling");
    EXPECT_STREQ(to_string(BayPhase::done), "done");
}

}  // namespace
}  // namespace cradle
