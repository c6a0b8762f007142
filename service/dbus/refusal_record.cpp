// SPDX-License-Identifier: Apache-2.0
#include "service/dbus/refusal_record.hpp"

#include <algorithm>

namespace cradle::dbus {

RefusalRecord::Decision RefusalRecord::refused(uid_t uid, std::int64_t now) {
    auto found = windows_.find(uid);
    if (found == windows_.end()) {
        if (windows_.size() >= kMaxCallers) {
            windows_.erase(std::min_element(
                windows_.begin(), windows_.end(),
                [](const auto& a, const auto& b) { return a.second.start < b.second.start; }));
        }
        found = windows_.emplace(uid, Window{now, 0, 0}).first;
    }
    Window& window = found->second;
    Decision decision;
    if (now < window.start || now - window.start >= kWindowSeconds) {
        decision.not_recorded = window.not_recorded;
        window = Window{now, 0, 0};
    }
    if (window.recorded < kPerWindow) {
        ++window.recorded;
        decision.record = true;
    } else {
        ++window.not_recorded;
    }
    return decision;
}

}  // namespace cradle::dbus
