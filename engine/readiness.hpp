// SPDX-License-Identifier: Apache-2.0
// The readiness policy: whether a camera that was archived and wiped, registered and in
// service is ready for its next shift (Art. 7), and if not, why: storage, battery, faults,
// clock, and the steps of the dock that failed. Pure functions over the dock's report and the
// configuration; the bay session and the charge watch apply them, and record what they decide.
#pragma once

#include "core/config/config.hpp"
#include "engine/dock_report.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace cradle {

// What stands between a camera and its next shift, in the words the bay and the catalog show.
struct Readiness {
    std::vector<std::string> reasons;  // empty: ready for duty
    bool battery_low = false;          // one of the reasons is the battery
};

// The reasons, in this order: each failed step of the dock (report.step_failures), storage
// below [readiness] storage_min_free (when read), battery below battery_min_percent (when read),
// each fault the camera reports, and a clock the cradle could not correct.
Readiness assess_readiness(const Config& config, const DockReport& report);

// Sets the verdict on the report: the outcome ("ready for duty" or "not ready: " and the
// reasons joined by ", "), the light that shows it, and whether the bay keeps watching the
// battery (awaiting_charge: the battery is the only reason, and the camera charges).
void apply_verdict(DockReport& report, const Readiness& readiness);

// Seconds a charging camera needs from now_percent to [readiness] battery_min_percent: at the
// rate measured since an earlier reading (from_percent, `elapsed` ago) when the battery rose
// since, else at the configured typical rate; a week at the most. -1 when the threshold is
// reached.
std::int64_t seconds_to_charge(const Config& config, int from_percent,
                               std::chrono::steady_clock::duration elapsed, int now_percent);

// "about 25 min", "about 1 h 26 min": a custodian's estimate, in whole minutes (one at least).
std::string format_charge_time(std::int64_t seconds);

// A clock's drift as the bay and the log show it: "+2.5 s", "-0.1 s" (tenths, truncated).
std::string format_drift(std::int64_t drift_ms);

}  // namespace cradle
