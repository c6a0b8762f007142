// SPDX-License-Identifier: Apache-2.0
// How many refusals of one caller are logged and audited one by one: a caller who is refused
// again and again must not fill the log or the audit log, nor slow the catalog the docks
// write to. Each uid gets kPerWindow refusals on record in each window of kWindowSeconds; the
// rest are only counted, and the count is put on record with the uid's next refusal after
// its window ended.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>

namespace cradle::dbus {

class RefusalRecord {
  public:
    static constexpr int kPerWindow = 5;
    static constexpr std::int64_t kWindowSeconds = 60;
    // Kept for this many callers at most; beyond, the oldest windows are forgotten, and a
    // forgotten caller's count goes with it (a flood from thousands of uids is a flood from
    // root, who may do much worse).
    static constexpr std::size_t kMaxCallers = 1024;

    struct Decision {
        bool record = false;             // log and audit this refusal
        std::uint64_t not_recorded = 0;  // refusals of this uid counted but not recorded before
    };

    // A refusal of `uid` at `now` (seconds).
    Decision refused(uid_t uid, std::int64_t now);

  private:
    struct Window {
        std::int64_t start = 0;
        int recorded = 0;
        std::uint64_t not_recorded = 0;
    };
    std::map<uid_t, Window> windows_;
};

}  // namespace cradle::dbus
