// SPDX-License-Identifier: Apache-2.0
#include "reports/json.hpp"

#include "common/json.hpp"
#include "reports/cell_text.hpp"
#include "reports/local_time.hpp"

namespace cradle::reports {
namespace {

std::string json_time(std::int64_t utc_seconds) {
    return "{\"utc\": " + json_string(utc_time_iso8601(utc_seconds)) +
           ", \"local\": " + json_string(local_time_text(utc_seconds)) + "}";
}

std::string json_cell(const Cell& cell) {
    struct Visitor {
        std::string operator()(const TextCell& c) const { return json_string(c.value); }
        std::string operator()(const NumberCell& c) const {
            std::string shown = number_text(c);
            return shown.empty() ? "null" : shown;  // JSON has no NaN or infinity
        }
        std::string operator()(const TimeCell& c) const { return json_time(c.utc_seconds); }
        std::string operator()(const FlagCell& c) const { return c.value ? "true" : "false"; }
    };
    return std::visit(Visitor{}, cell);
}

}  // namespace

std::string render_json(const Report& report) {
    std::string out = "{\n";
    out += "  \"report\": " + json_string(report.key) + ",\n";
    out += "  \"title\": " + json_string(report.title) + ",\n";
    out += "  \"subtitle\": " + json_string(report.subtitle) + ",\n";
    out += "  \"generated_at\": " + json_time(report.generated_at_utc) + ",\n";
    out += "  \"sections\": [";
    for (std::size_t s = 0; s < report.sections.size(); ++s) {
        const Section& section = report.sections[s];
        out += s == 0 ? "\n" : ",\n";
        out += "    {\n";
        out += "      \"section\": " + json_string(section.key) + ",\n";
        out += "      \"heading\": " + json_string(section.heading) + ",\n";
        if (section.note) {
            out += "      \"note\": " + json_string(*section.note) + ",\n";
        }
        out += "      \"columns\": [";
        const auto& columns = section.table.columns;
        for (std::size_t c = 0; c < columns.size(); ++c) {
            out += c == 0 ? "" : ", ";
            out += "{\"key\": " + json_string(columns[c].key) +
                   ", \"heading\": " + json_string(columns[c].heading) + "}";
        }
        out += "],\n";
        out += "      \"rows\": [";
        const auto& rows = section.table.rows;
        for (std::size_t r = 0; r < rows.size(); ++r) {
            out += r == 0 ? "\n        {" : ",\n        {";
            // A row shorter than its columns leaves the rest out; longer rows' extra cells
            // have no key and are dropped.
            for (std::size_t c = 0; c < rows[r].size() && c < columns.size(); ++c) {
                out += c == 0 ? "" : ", ";
                out += json_string(columns[c].key) + ": " + json_cell(rows[r][c]);
            }
            out += "}";
        }
        out += rows.empty() ? "]\n" : "\n      ]\n";
        out += "    }";
    }
    out += report.sections.empty() ? "]\n" : "\n  ]\n";
    out += "}\n";
    return out;
}

}  // namespace cradle::reports
