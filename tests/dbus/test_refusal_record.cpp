// SPDX-License-Identifier: Apache-2.0
// How many refusals of one caller go on record one by one, and that the rest are counted and
// reported with the caller's next refusal after the window.
#include "service/dbus/refusal_record.hpp"

#include <gtest/gtest.h>

namespace cradle::dbus {
namespace {

TEST(RefusalRecord, FiveACallerAMinuteThenCountedAndReported) {
    RefusalRecord record;
    for (int i = 0; i < RefusalRecord::kPerWindow; ++i) {
        const auto decision = record.refused(1000, 100 + i);
        EXPECT_TRUE(decision.record) << i;
        EXPECT_EQ(decision.not_recorded, 0u);
    }
    for (int i = 0; i < 20; ++i) EXPECT_FALSE(record.refused(1000, 110).record);
    // Another caller has a window of its own.
    EXPECT_TRUE(record.refused(1001, 110).record);
    // Still the same window at 159 s; a new one at 160 s, reporting the 21 counted.
    EXPECT_FALSE(record.refused(1000, 159).record);
    const auto next = record.refused(1000, 160);
    EXPECT_TRUE(next.record);
    EXPECT_EQ(next.not_recorded, 21u);
    EXPECT_EQ(record.refused(1000, 161).not_recorded, 0u);
}

TEST(RefusalRecord, AClockSetBackStartsANewWindow) {
    RefusalRecord record;
    for (int i = 0; i < 6; ++i) record.refused(7, 1000);
    const auto back = record.refused(7, 10);
    EXPECT_TRUE(back.record);
    EXPECT_EQ(back.not_recorded, 1u);
}

TEST(RefusalRecord, ManyCallersKeepItBounded) {
    RefusalRecord record;
    for (uid_t uid = 0; uid < RefusalRecord::kMaxCallers + 10; ++uid) {
        EXPECT_TRUE(record.refused(uid, 5).record);
    }
    // The table forgot the oldest callers rather than growing: a forgotten caller starts anew.
    EXPECT_TRUE(record.refused(0, 6).record);
}

}  // namespace
}  // namespace cradle::dbus
