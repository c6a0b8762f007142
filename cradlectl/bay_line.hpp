// SPDX-License-Identifier: Apache-2.0
// One line per bay, for `cradlectl status` and its live view: phase, camera, a progress bar,
// percent, megabytes done of the total, rate and time left; the outcome once the dock is done.
#pragma once

#include "cradlectl/bus_client.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace cradle::ctl {

// last_dock: the bay's DockFinished, when one was seen for the camera in it; adds its counts.
std::string bay_line(const BayInfo& bay, const std::optional<DockFinished>& last_dock = {});

// The bay as one JSON object, with the field names cradlectl(1) documents.
std::string bay_json(const BayInfo& bay);

// "[#########-----------]": bar_width cells filled in proportion.
std::string progress_bar(std::uint64_t done, std::uint64_t total, std::size_t bar_width);

// "0:42", "12:05", "1:02:03"; "-" when unknown (negative).
std::string duration_text(std::int64_t seconds);

// At most `columns` code points of UTF-8 text (a line on a terminal must not wrap).
std::string fit_to_columns(const std::string& text, std::size_t columns);

}  // namespace cradle::ctl
