// SPDX-License-Identifier: Apache-2.0
#include "engine/readiness.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <sstream>

namespace cradle {

Readiness assess_readiness(const Config& config, const DockReport& report) {
    Readiness readiness;
    auto& reasons = readiness.reasons;
    for (const auto& failure : report.step_failures) reasons.push_back(failure);
    if (report.storage_read && report.storage_free_after_bytes < config.storage_min_free_bytes) {
        reasons.push_back("storage " + std::to_string(report.storage_free_after_bytes >> 20) +
                          " MiB free (needs " +
                          std::to_string(config.storage_min_free_bytes >> 20) + " MiB)");
    }
    if (report.battery_read && report.battery_percent < config.battery_min_percent) {
        readiness.battery_low = true;
        std::string reason = "battery " + std::to_string(report.battery_percent) + "% (needs " +
                             std::to_string(config.battery_min_percent) + "%; ";
        reason += report.charging && report.charge_eta_s >= 0
                      ? format_charge_time(report.charge_eta_s) + " on charge)"
                      : std::string("not charging)");
        reasons.push_back(reason);
    }
    for (const auto& fault : report.faults) reasons.push_back("fault: " + fault);
    if (report.clock_measured && !report.clock_corrected &&
        report.clock_note.rfind("not corrected", 0) == 0) {
        // After a correction the camera ignored, what it reads now is what counts.
        const std::int64_t off =
            report.clock_drift_after_ms != 0 ? report.clock_drift_after_ms : report.clock_drift_ms;
        reasons.push_back("clock off by " + format_drift(off));
    }
    return readiness;
}

void apply_verdict(DockReport& report, const Readiness& readiness) {
    if (readiness.reasons.empty()) {
        report.light = hw::BayLight::ready;
        report.outcome = "ready for duty";
        report.awaiting_charge = false;
        return;
    }
    report.light = hw::BayLight::not_ready;
    report.outcome = "not ready: ";
    for (std::size_t i = 0; i < readiness.reasons.size(); ++i) {
        report.outcome += (i ? ", " : "") + readiness.reasons[i];
    }
    report.awaiting_charge =
        readiness.battery_low && readiness.reasons.size() == 1 && report.charging;
}

std::int64_t seconds_to_charge(const Config& config, int from_percent,
                               std::chrono::steady_clock::duration elapsed, int now_percent) {
    const int missing = config.battery_min_percent - now_percent;
    if (missing <= 0) return -1;
    double percent_per_s = config.charge_percent_per_hour / 3600.0;
    const double seconds = std::chrono::duration<double>(elapsed).count();
    if (now_percent > from_percent && seconds > 0) {
        percent_per_s = (now_percent - from_percent) / seconds;
    }
    // A week bounds what a slow reading can claim (and keeps the cast in range).
    const double eta = std::min(std::ceil(missing / percent_per_s), 7.0 * 86400);
    return static_cast<std::int64_t>(eta);
}

std::string format_charge_time(std::int64_t seconds) {
    const std::int64_t minutes = std::max<std::int64_t>(1, (seconds + 59) / 60);
    if (minutes < 60) return "about " + std::to_string(minutes) + " min";
    std::string text = "about " + std::to_string(minutes / 60) + " h";
    if (minutes % 60 != 0) text += " " + std::to_string(minutes % 60) + " min";
    return text;
}

std::string format_drift(std::int64_t drift_ms) {
    std::ostringstream out;
    out << (drift_ms >= 0 ? "+" : "-");
    std::int64_t magnitude = std::llabs(drift_ms);
    out << magnitude / 1000 << '.' << (magnitude % 1000) / 100 << " s";
    return out.str();
}

}  // namespace cradle
