// SPDX-License-Identifier: Apache-2.0
// How many lists and report facts are read on the worker pool at once, and by whom: so that
// no number of callers holds the pool or memory the bays need, no one caller takes every
// slot, and root always finds one free.
#pragma once

#include <sys/types.h>

#include <map>

namespace cradle::dbus {

class ListingSlots {
  public:
    // Slots for everyone; root has one more of its own.
    static constexpr int kShared = 2;
    static constexpr int kKeptForRoot = 1;
    // At once per caller other than root.
    static constexpr int kPerCaller = 1;

    // Takes a slot for `uid`; false when it must try again later.
    bool take(uid_t uid);
    // Gives back a slot `uid` took.
    void give_back(uid_t uid);
    int running() const { return running_; }

  private:
    int running_ = 0;
    std::map<uid_t, int> by_caller_;
};

}  // namespace cradle::dbus
