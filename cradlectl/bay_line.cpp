// SPDX-License-Identifier: Apache-2.0
#include "cradlectl/bay_line.hpp"

#include "cradlectl/text_output.hpp"

#include <cstdio>

namespace cradle::ctl {
namespace {

constexpr std::size_t kBarWidth = 20;
constexpr std::size_t kPhaseWidth = 14;    // "waiting-remote"
constexpr std::size_t kSerialWidth = 10;   // "BWC-0001" and a little more
constexpr double kBytesPerMegabyte = 1e6;  // MB as the daemon's summary counts them

std::string padded(std::string text, std::size_t width) {
    if (text.size() < width) text.append(width - text.size(), ' ');
    return text;
}

std::string megabytes(std::uint64_t bytes) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f", static_cast<double>(bytes) / kBytesPerMegabyte);
    return text;
}

// Once the offload is planned (or over), progress means something.
bool shows_progress(const BayInfo& bay) {
    return bay.bytes_total > 0 || bay.phase == "wiping" || bay.phase == "finishing" ||
           bay.phase == "done";
}

}  // namespace

std::string progress_bar(std::uint64_t done, std::uint64_t total, std::size_t bar_width) {
    std::size_t filled = 0;
    if (total > 0) {
        const double share =
            static_cast<double>(done > total ? total : done) / static_cast<double>(total);
        filled = static_cast<std::size_t>(share * static_cast<double>(bar_width));
    }
    return "[" + std::string(filled, '#') + std::string(bar_width - filled, '-') + "]";
}

std::string duration_text(std::int64_t seconds) {
    if (seconds < 0) return "-";
    char text[32];
    const long long hours = seconds / 3600;
    const long long minutes = (seconds / 60) % 60;
    const long long rest = seconds % 60;
    if (hours > 0) {
        std::snprintf(text, sizeof text, "%lld:%02lld:%02lld", hours, minutes, rest);
    } else {
        std::snprintf(text, sizeof text, "%lld:%02lld", minutes, rest);
    }
    return text;
}

std::string fit_to_columns(const std::string& text, std::size_t columns) {
    std::size_t seen = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if ((static_cast<unsigned char>(text[i]) & 0xc0) == 0x80) continue;
        if (seen == columns) return text.substr(0, i);
        ++seen;
    }
    return text;
}

std::string bay_line(const BayInfo& bay, const std::optional<DockFinished>& last_dock) {
    std::string line = "bay " + std::to_string(bay.bay) + "  " + padded(bay.phase, kPhaseWidth);
    if (bay.phase == "empty") {
        while (!line.empty() && line.back() == ' ') line.pop_back();
        return printable(line);
    }
    line += "  " + padded(bay.serial.empty() ? "-" : bay.serial, kSerialWidth);
    if (shows_progress(bay)) {
        // A dock that found nothing to copy is complete once it is past the offload.
        const bool nothing_to_copy = bay.bytes_total == 0;
        const bool past_offload = bay.phase != "offloading";
        std::uint64_t percent = 0;
        if (!nothing_to_copy) {
            percent = (bay.bytes_done >= bay.bytes_total ? bay.bytes_total : bay.bytes_done) * 100 /
                      bay.bytes_total;
        } else if (past_offload) {
            percent = 100;
        }
        char percent_text[8];
        std::snprintf(percent_text, sizeof percent_text, "%3llu%%",
                      static_cast<unsigned long long>(percent));
        line += "  " + (nothing_to_copy && past_offload
                            ? progress_bar(1, 1, kBarWidth)
                            : progress_bar(bay.bytes_done, bay.bytes_total, kBarWidth));
        line += " " + std::string(percent_text);
        line += "  " + megabytes(bay.bytes_done) + "/" + megabytes(bay.bytes_total) + " MB";
        if (bay.phase == "offloading") {
            char rate[32];
            std::snprintf(rate, sizeof rate, "%.1f MB/s", bay.rate_bytes_per_s / kBytesPerMegabyte);
            // Without a rate yet, a time left would be a guess.
            line += "  " + std::string(rate) + "  ETA " +
                    duration_text(bay.rate_bytes_per_s > 0 ? bay.eta_s : -1);
        }
    }
    if (bay.phase == "done") {
        line += "  " + (bay.outcome.empty() ? std::string("finished") : bay.outcome);
        if (last_dock && last_dock->bay == bay.bay && last_dock->serial == bay.serial) {
            line += " (archived " + std::to_string(last_dock->archived) + ", wiped " +
                    std::to_string(last_dock->wiped) + ", left " + std::to_string(last_dock->left) +
                    ")";
        }
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    return printable(line);
}

std::string bay_json(const BayInfo& bay) {
    JsonObject object;
    object.add("bay", static_cast<std::uint64_t>(bay.bay))
        .add("phase", bay.phase)
        .add("light", bay.light);
    add_text_or_null(object, "serial", bay.serial);
    add_text_or_null(object, "model", bay.model);
    add_text_or_null(object, "outcome", bay.outcome);
    add_time(object, "docked_since", bay.docked_since);
    object.add("recordings_done", static_cast<std::uint64_t>(bay.recordings_done))
        .add("recordings_total", static_cast<std::uint64_t>(bay.recordings_total))
        .add("bytes_done", bay.bytes_done)
        .add("bytes_total", bay.bytes_total)
        .add_number("rate_bytes_per_s", bay.rate_bytes_per_s);
    if (bay.eta_s < 0) {
        object.add_null("eta_s");
    } else {
        object.add("eta_s", bay.eta_s);
    }
    return object.str();
}

}  // namespace cradle::ctl
