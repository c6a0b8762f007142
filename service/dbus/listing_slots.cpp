// SPDX-License-Identifier: Apache-2.0
#include "service/dbus/listing_slots.hpp"

namespace cradle::dbus {

bool ListingSlots::take(uid_t uid) {
    const bool root = uid == 0;
    if (running_ >= kShared + (root ? kKeptForRoot : 0)) return false;
    auto found = by_caller_.find(uid);
    if (!root && found != by_caller_.end() && found->second >= kPerCaller) return false;
    ++by_caller_[uid];
    ++running_;
    return true;
}

void ListingSlots::give_back(uid_t uid) {
    auto found = by_caller_.find(uid);
    if (found == by_caller_.end()) return;
    --running_;
    if (--found->second == 0) by_caller_.erase(found);
}

}  // namespace cradle::dbus
