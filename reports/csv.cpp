// SPDX-License-Identifier: Apache-2.0
#include "reports/csv.hpp"

#include "common/csv.hpp"
#include "reports/cell_text.hpp"
#include "reports/local_time.hpp"

#include <utility>

namespace cradle::reports {
namespace {

// Spreadsheets open a CSV without a byte order mark in the system's legacy code page, which
// turns Chinese names into garbage; with it they read UTF-8.
constexpr const char* byte_order_mark = "\xEF\xBB\xBF";

// Times as local ISO 8601 with the offset: exact, and a spreadsheet reads them as dates.
// Text that a spreadsheet would take for a formula (a camera's model "=HYPERLINK(...)", a
// drift "-545 ms") is kept as text by a leading apostrophe, as spreadsheets themselves do.
std::string csv_cell(const Cell& cell) {
    if (const auto* time = std::get_if<TimeCell>(&cell)) {
        return local_time_iso8601(time->utc_seconds);
    }
    std::string value = cell_text(cell);
    return std::holds_alternative<TextCell>(cell) ? guard_formula(std::move(value)) : value;
}

void append_row(std::string& out, const std::string& section,
                const std::vector<std::string>& fields) {
    std::vector<std::string> record{section};
    record.insert(record.end(), fields.begin(), fields.end());
    out += csv_record(record);
}

}  // namespace

std::string render_csv(const Report& report) {
    std::string out = byte_order_mark;
    append_row(out, "section", {"title", "subtitle", "generated_at"});
    append_row(out, report.key,
               {report.title, report.subtitle, local_time_iso8601(report.generated_at_utc)});
    for (const Section& section : report.sections) {
        out += "\r\n";
        std::vector<std::string> header;
        for (const Column& column : section.table.columns) {
            header.push_back(column.heading);
        }
        append_row(out, "section", header);
        for (const auto& row : section.table.rows) {
            std::vector<std::string> fields;
            for (const Cell& cell : row) {
                fields.push_back(csv_cell(cell));
            }
            append_row(out, section.key, fields);
        }
    }
    return out;
}

}  // namespace cradle::reports
