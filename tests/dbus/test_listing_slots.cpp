// SPDX-License-Identifier: Apache-2.0
// The slots for lists and report facts: shared by all, one per caller, one more kept for root.
#include "service/dbus/listing_slots.hpp"

#include <gtest/gtest.h>

namespace cradle::dbus {
namespace {

TEST(ListingSlots, OneCallerTakesOneSharedSlotAtATime) {
    ListingSlots slots;
    EXPECT_TRUE(slots.take(1000));
    EXPECT_FALSE(slots.take(1000)) << "a second at once for the same caller";
    EXPECT_TRUE(slots.take(1001));
    EXPECT_FALSE(slots.take(1002)) << "the shared slots are all taken";
    slots.give_back(1000);
    EXPECT_TRUE(slots.take(1002));
    EXPECT_EQ(slots.running(), 2);
}

TEST(ListingSlots, RootFindsASlotWhenOthersTookAllTheShared) {
    ListingSlots slots;
    ASSERT_TRUE(slots.take(1000));
    ASSERT_TRUE(slots.take(1001));
    EXPECT_TRUE(slots.take(0));
    EXPECT_FALSE(slots.take(0)) << "root's own slot is one";
    slots.give_back(0);
    EXPECT_TRUE(slots.take(0));
    // Root may hold several while the shared ones are free.
    slots.give_back(1000);
    slots.give_back(1001);
    EXPECT_TRUE(slots.take(0));
    EXPECT_EQ(slots.running(), 2);
    EXPECT_FALSE(slots.take(1003)) << "root's two leave none shared";
}

TEST(ListingSlots, GivingBackWhatWasNotTakenChangesNothing) {
    ListingSlots slots;
    slots.give_back(1000);
    EXPECT_EQ(slots.running(), 0);
    EXPECT_TRUE(slots.take(1000));
}

}  // namespace
}  // namespace cradle::dbus
