// SPDX-License-Identifier: Apache-2.0
// The caller guard's decisions (service/dbus/caller_guard.hpp): a connection whose replies pile
// up unread is starved until it reads them, alone or with the other connections of its user;
// each user's calls are limited in rate, custodians' less, root's not at all.
#include "service/dbus/caller_guard.hpp"

#include <gtest/gtest.h>

namespace cradle::dbus {
namespace {

using Clock = CallerGuard::Clock;
using Verdict = CallerGuard::Verdict;

// Calls from `connection` until one is measured; returns how many were answered.
int calls_until_measure(CallerGuard& guard, const std::string& connection, Clock::time_point at) {
    for (int answered = 1; answered < 10'000; ++answered) {
        const CallerGuard::Decision decision = guard.on_call(connection, at);
        EXPECT_EQ(decision.verdict, Verdict::answer);
        if (decision.measure) return answered;
    }
    return -1;
}

TEST(CallerGuard, AConnectionIsIdentifiedOnceAndMeasuredAsItsRepliesAddUp) {
    CallerGuard guard;
    const Clock::time_point now = Clock::now();
    CallerGuard::Decision first = guard.on_call(":1.7", now);
    EXPECT_TRUE(first.identify);
    EXPECT_FALSE(guard.on_call(":1.7", now).identify) << "asked already";
    guard.identified(":1.7", 1000, false);
    const int calls = calls_until_measure(guard, ":1.7", now);
    EXPECT_EQ(calls + 2,
              static_cast<int>(CallerGuard::kMeasureEveryBytes / CallerGuard::kBytesPerCall));
    EXPECT_FALSE(guard.on_call(":1.7", now).measure) << "one measure at a time";
    // A reader: its queue is empty, nothing changes.
    EXPECT_EQ(guard.measured(":1.7", 0, now), CallerGuard::Change::none);
    // A list's reply counts in full.
    guard.sent(":1.7", CallerGuard::kMeasureEveryBytes);
    EXPECT_TRUE(guard.on_call(":1.7", now).measure);
    EXPECT_EQ(guard.measured(":1.7", 0, now), CallerGuard::Change::none);
}

TEST(CallerGuard, AConnectionThatLeavesItsRepliesUnreadIsStarvedUntilItReadsThem) {
    CallerGuard guard;
    Clock::time_point now = Clock::now();
    guard.on_call(":1.8", now);
    guard.identified(":1.8", 1000, false);
    ASSERT_GT(calls_until_measure(guard, ":1.8", now), 0);
    EXPECT_EQ(guard.measured(":1.8", 2 * CallerGuard::kMostQueuedBytes, now),
              CallerGuard::Change::starved);
    EXPECT_EQ(guard.on_call(":1.8", now).verdict, Verdict::starve);
    EXPECT_FALSE(guard.on_call(":1.8", now).measure) << "measured again only a second later";
    // Another connection is not touched.
    EXPECT_EQ(guard.on_call(":1.9", now).verdict, Verdict::answer);
    now += CallerGuard::kMeasureStarvedEvery;
    EXPECT_TRUE(guard.on_call(":1.8", now).measure);
    EXPECT_EQ(guard.measured(":1.8", CallerGuard::kResumeBelowBytes, now),
              CallerGuard::Change::none)
        << "still not read enough";
    now += CallerGuard::kMeasureStarvedEvery;
    EXPECT_TRUE(guard.on_call(":1.8", now).measure);
    EXPECT_EQ(guard.measured(":1.8", 0, now), CallerGuard::Change::resumed);
    EXPECT_EQ(guard.on_call(":1.8", now).verdict, Verdict::answer);
}

TEST(CallerGuard, AFloodIsDroppedWhileItsMeasureIsUnderWay) {
    CallerGuard guard;
    const Clock::time_point now = Clock::now();
    // The measure asked for at 256 KiB never comes back (the bus daemon is slow): what was
    // sent decides. Answered: 1 MiB beyond the one reply a reader may be reading.
    int answered = 0;
    while (guard.on_call(":1.10", now).verdict == Verdict::answer && answered < 10'000) {
        ++answered;
    }
    EXPECT_EQ(static_cast<std::uint64_t>(answered),
              CallerGuard::kMostQueuedBytes / CallerGuard::kBytesPerCall + 2);
    EXPECT_EQ(guard.on_call(":1.10", now).verdict, Verdict::starve);
    EXPECT_EQ(guard.measured(":1.10", answered * CallerGuard::kBytesPerCall, now),
              CallerGuard::Change::starved);
}

TEST(CallerGuard, OneLargeReplyMayLieUnreadButNotTwo) {
    CallerGuard guard;
    const Clock::time_point now = Clock::now();
    const std::uint64_t list = 16u << 20;  // a list as large as one reply may be
    guard.on_call(":1.11", now);
    guard.sent(":1.11", list);
    // The caller reads it and calls again: answered, and measured while it is answered.
    const CallerGuard::Decision next = guard.on_call(":1.11", now);
    EXPECT_EQ(next.verdict, Verdict::answer);
    EXPECT_TRUE(next.measure);
    // Measured while it still reads the list: not starved.
    EXPECT_EQ(guard.measured(":1.11", list / 2, now), CallerGuard::Change::none);
    // A second list, the first still unread: starved.
    guard.sent(":1.11", list);
    EXPECT_TRUE(guard.on_call(":1.11", now).measure);
    EXPECT_EQ(guard.measured(":1.11", list / 2 + list, now), CallerGuard::Change::starved);
}

TEST(CallerGuard, AUsersConnectionsAreStarvedTogether) {
    CallerGuard guard;
    const Clock::time_point now = Clock::now();
    // Twelve connections of one user, each under the limit of one, together over the user's.
    const std::uint64_t each = CallerGuard::kMostQueuedBytesPerUser / 10;
    ASSERT_LT(each, CallerGuard::kMostQueuedBytes);
    for (int i = 0; i < 12; ++i) {
        const std::string name = ":2." + std::to_string(i);
        guard.on_call(name, now);
        guard.identified(name, 1000, false);
        guard.measured(name, each, now);
    }
    EXPECT_TRUE(guard.starved(":2.11"));
    EXPECT_FALSE(guard.starved(":2.0")) << "measured before the user was over";
    const CallerGuard::Decision over = guard.on_call(":2.0", now);
    EXPECT_TRUE(over.measure) << "over now: measured";
    EXPECT_EQ(guard.measured(":2.0", each, now), CallerGuard::Change::starved);
    // Another user's connection with as much queued is answered.
    guard.on_call(":3.1", now);
    guard.identified(":3.1", 1001, false);
    guard.measured(":3.1", each, now);
    EXPECT_EQ(guard.on_call(":3.1", now).verdict, Verdict::answer);
    // Connections that leave take their share with them.
    for (int i = 1; i < 12; ++i) guard.left(":2." + std::to_string(i));
    EXPECT_EQ(guard.measured(":2.0", each, now), CallerGuard::Change::none)
        << "still above where it may resume";
    EXPECT_EQ(guard.measured(":2.0", 0, now), CallerGuard::Change::resumed);
    EXPECT_EQ(guard.connections(), 2u);
}

TEST(CallerGuard, EachUserHasARateCustodiansMoreAndRootNone) {
    CallerGuard guard;
    Clock::time_point now = Clock::now();
    auto answered_of = [&](const std::string& name, int calls) {
        int answered = 0;
        for (int i = 0; i < calls; ++i) {
            // Measured as a reader at every ask, so that only the rate decides.
            const CallerGuard::Decision decision = guard.on_call(name, now);
            if (decision.measure) guard.measured(name, 0, now);
            if (decision.verdict == Verdict::answer) ++answered;
        }
        return answered;
    };
    for (const auto& [name, uid, privileged] :
         {std::tuple{":4.1", 1000u, false}, std::tuple{":4.2", 1001u, true},
          std::tuple{":4.3", 0u, false}}) {
        guard.on_call(name, now);
        guard.identified(name, uid, privileged);
    }
    const int burst = static_cast<int>(CallerGuard::kBurst);
    EXPECT_EQ(answered_of(":4.1", burst), burst);
    // Beyond the burst: told once to try again; what it sends on within the second is dropped.
    EXPECT_EQ(guard.on_call(":4.1", now).verdict, Verdict::too_many);
    EXPECT_EQ(guard.on_call(":4.1", now).verdict, Verdict::starve);
    EXPECT_EQ(answered_of(":4.1", burst), 0);
    // A second connection of the same user shares the bucket, and is told once itself.
    guard.on_call(":4.4", now);
    guard.identified(":4.4", 1000, false);
    EXPECT_EQ(guard.on_call(":4.4", now).verdict, Verdict::too_many);
    EXPECT_EQ(guard.on_call(":4.4", now).verdict, Verdict::starve);
    EXPECT_EQ(answered_of(":4.2", 3 * burst), 3 * burst) << "a custodian's share is larger";
    EXPECT_EQ(answered_of(":4.3", 50 * burst), 50 * burst) << "root is not limited";
    // The bucket refills with time.
    now += std::chrono::seconds(1);
    EXPECT_EQ(answered_of(":4.1", burst), static_cast<int>(CallerGuard::kCallsPerSecond));
}

TEST(CallerGuard, ConnectionsBeyondTheMostRememberedPassUnwatched) {
    CallerGuard guard;
    const Clock::time_point now = Clock::now();
    for (std::size_t i = 0; i < CallerGuard::kMaxConnections; ++i) {
        guard.on_call(":5." + std::to_string(i), now);
    }
    EXPECT_EQ(guard.connections(), CallerGuard::kMaxConnections);
    const CallerGuard::Decision extra = guard.on_call(":6.1", now);
    EXPECT_EQ(extra.verdict, Verdict::answer);
    EXPECT_FALSE(extra.identify);
    EXPECT_EQ(guard.connections(), CallerGuard::kMaxConnections);
}

}  // namespace
}  // namespace cradle::dbus
