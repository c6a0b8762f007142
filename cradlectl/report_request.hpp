// SPDX-License-Identifier: Apache-2.0
// What `cradlectl report` is asked for: which report, its period in UTC, the format and where
// it goes. Worked out from the command line, today's local date and whether standard output is
// a terminal, so that every rule can be tested without a bus, a catalog or a terminal.
#pragma once

#include "core/catalog/report_facts.hpp"
#include "cradlectl/arguments.hpp"

#include <optional>
#include <string>
#include <variant>

namespace cradle::ctl {

enum class ReportKind { assignments, dock };
enum class ReportFormat { pdf, csv, json };

const char* to_string(ReportFormat format) noexcept;

struct ReportRequest {
    ReportKind kind = ReportKind::assignments;
    ReportFormat format = ReportFormat::csv;
    std::optional<std::string> output;  // -o FILE; none (or "-"): standard output
    reports::Period period;             // UTC, [from, to): whole local days
    std::string date;                   // dock: the local date asked for
};

// --format when given; else the -o file's extension (.pdf, .csv, .json, any case); else CSV.
// The message of a usage error for an unknown --format.
std::variant<ReportFormat, std::string> choose_report_format(
    const std::optional<std::string>& format, const std::optional<std::string>& output);

// The request of a parsed `report` invocation, or the message of a usage error: an unknown
// report, a date that is not one, --from after --to, options of the other report, an unknown
// format, a PDF for a terminal. `today` is the local date ("2026-03-29"): the default --to and
// --date, and its month's first day the default --from.
std::variant<ReportRequest, std::string> report_request(const Invocation& invocation,
                                                        const std::string& today,
                                                        bool output_is_terminal);

}  // namespace cradle::ctl
