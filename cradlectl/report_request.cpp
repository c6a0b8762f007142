// SPDX-License-Identifier: Apache-2.0
#include "cradlectl/report_request.hpp"

#include "reports/local_time.hpp"

#include <algorithm>
#include <cctype>

namespace cradle::ctl {
namespace {

std::string lower(std::string text) {
    for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

bool writes_to_standard_output(const std::optional<std::string>& output) {
    return !output || output->empty() || *output == "-";
}

// The local day of a --from, --to or --date value; the message when it is not a date.
std::variant<reports::Period, std::string> day_of(const char* option, const std::string& date) {
    std::optional<reports::Period> day = reports::local_day(date);
    if (!day) {
        return std::string(option) + " " + date +
               ": not a date (a local day, YYYY-MM-DD, e.g. 2026-03-29)";
    }
    return *day;
}

}  // namespace

const char* to_string(ReportFormat format) noexcept {
    switch (format) {
        case ReportFormat::pdf:
            return "pdf";
        case ReportFormat::csv:
            return "csv";
        case ReportFormat::json:
            return "json";
    }
    return "csv";
}

std::variant<ReportFormat, std::string> choose_report_format(
    const std::optional<std::string>& format, const std::optional<std::string>& output) {
    const std::pair<const char*, ReportFormat> known[] = {
        {"pdf", ReportFormat::pdf}, {"csv", ReportFormat::csv}, {"json", ReportFormat::json}};
    if (format) {
        const std::string wanted = lower(*format);
        for (const auto& [name, value] : known) {
            if (wanted == name) return value;
        }
        return "--format " + *format + ": unknown; pdf, csv or json";
    }
    if (!writes_to_standard_output(output)) {
        const std::string name = lower(*output);
        for (const auto& [extension, value] : known) {
            const std::string suffix = std::string(".") + extension;
            if (name.size() > suffix.size() && name.ends_with(suffix)) return value;
        }
    }
    return ReportFormat::csv;
}

std::variant<ReportRequest, std::string> report_request(const Invocation& invocation,
                                                        const std::string& today,
                                                        bool output_is_terminal) {
    ReportRequest request;
    const std::string& kind = invocation.operands.at(0);
    if (kind == "assignments") {
        request.kind = ReportKind::assignments;
    } else if (kind == "dock") {
        request.kind = ReportKind::dock;
    } else {
        return "report " + kind + ": unknown; report assignments or report dock";
    }

    if (request.kind == ReportKind::assignments) {
        if (invocation.date) {
            return std::string("report assignments covers --from DAY --to DAY, not --date");
        }
        const std::string from = invocation.from_text.value_or(today.substr(0, 8) + "01");
        const std::string to = invocation.to_text.value_or(today);
        auto first = day_of("--from", from);
        if (auto* error = std::get_if<std::string>(&first)) return *error;
        auto last = day_of("--to", to);
        if (auto* error = std::get_if<std::string>(&last)) return *error;
        request.period.from = std::get<reports::Period>(first).from;
        request.period.to = std::get<reports::Period>(last).to;
        if (request.period.from >= request.period.to) {
            return "--from " + from + " is after --to " + to;
        }
    } else {
        if (invocation.from_text || invocation.to_text) {
            return std::string("report dock covers one day: --date DAY, not --from or --to");
        }
        request.date = invocation.date.value_or(today);
        auto day = day_of("--date", request.date);
        if (auto* error = std::get_if<std::string>(&day)) return *error;
        request.period = std::get<reports::Period>(day);
    }

    // Days start at 1970-01-01 (local_day), but east of UTC that day's local midnight is
    // before 1970-01-01 UTC, a negative time the daemon refuses; nothing is older than 0.
    request.period.from = std::max<std::int64_t>(request.period.from, 0);

    auto format = choose_report_format(invocation.format, invocation.output);
    if (auto* error = std::get_if<std::string>(&format)) return *error;
    request.format = std::get<ReportFormat>(format);
    if (!writes_to_standard_output(invocation.output)) request.output = invocation.output;
    if (request.format == ReportFormat::pdf && !request.output && output_is_terminal) {
        return std::string(
            "a PDF is not written to a terminal: use -o FILE.pdf (or redirect the output)");
    }
    return request;
}

}  // namespace cradle::ctl
