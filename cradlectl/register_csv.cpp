// SPDX-License-Identifier: Apache-2.0
#include "cradlectl/register_csv.hpp"

#include "common/csv.hpp"
#include "common/text.hpp"
#include "common/utf8.hpp"

#include "cradlectl/text_output.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <stdexcept>

namespace cradle::ctl {
namespace {

// What the daemon accepts of a register entry (RegisterDevice's argument checks).
constexpr std::size_t kMaxFieldBytes = 128;

// A record of one empty field: an empty line of the file, which is skipped (a line of commas
// is a record of empty fields, and counts).
bool is_empty_line(const std::vector<std::string>& fields) {
    return fields.size() == 1 && fields[0].empty();
}

}  // namespace

std::string column_name(std::string_view text) {
    return badge_key(text);
}

std::string entry_field_problem(std::string_view value) {
    if (value.empty()) return "is empty";
    if (value.size() > kMaxFieldBytes) {
        return "is longer than " + std::to_string(kMaxFieldBytes) + " bytes";
    }
    return text_value_problem(value);
}

std::vector<CsvRecord> parse_csv(std::string_view text) {
    if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
    std::vector<CsvRecord> records;
    CsvRecord record;
    std::string field;
    std::size_t line = 1;
    record.line = line;
    bool quoted = false;      // inside a quoted field
    bool was_quoted = false;  // the current field was quoted (only a separator may follow)
    auto end_field = [&] {
        record.fields.push_back(std::move(field));
        field.clear();
        was_quoted = false;
    };
    auto end_record = [&] {
        end_field();
        if (!is_empty_line(record.fields)) records.push_back(std::move(record));
        record = CsvRecord{};
        record.line = line;
    };
    std::size_t at = 0;
    while (at < text.size()) {
        char c = text[at];
        if (quoted) {
            if (c == '"') {
                if (at + 1 < text.size() && text[at + 1] == '"') {
                    field += '"';
                    at += 2;
                    continue;
                }
                quoted = false;
                was_quoted = true;
                ++at;
                continue;
            }
            if (c == '\n') ++line;
            field += c;
            ++at;
            continue;
        }
        if (c == ',') {
            end_field();
            ++at;
            continue;
        }
        if (c == '\r' && at + 1 < text.size() && text[at + 1] == '\n') ++at;
        if (c == '\r' || c == '\n') {
            ++line;
            ++at;
            end_record();
            continue;
        }
        if (was_quoted) {
            throw std::runtime_error("line " + std::to_string(line) +
                                     ": text after a closing quote (a quote inside a field is "
                                     "written as two quotes, \"\")");
        }
        if (c == '"') {
            if (!field.empty()) {
                throw std::runtime_error("line " + std::to_string(line) +
                                         ": a quote inside an unquoted field (quote the whole "
                                         "field, and double the quote: \"\")");
            }
            quoted = true;
            ++at;
            continue;
        }
        field += c;
        ++at;
    }
    if (quoted) {
        throw std::runtime_error("line " + std::to_string(record.line) +
                                 ": a quoted field is not closed before the end of the file");
    }
    if (!field.empty() || !record.fields.empty() || was_quoted) end_record();
    return records;
}

std::string export_record(std::vector<std::string> fields) {
    for (std::string& field : fields) field = guard_formula(std::move(field));
    return csv_record(fields);
}

namespace {

// The header's columns by name; each wanted column the header lacks is a problem. By name: an
// export, with its further columns, can be imported back as it is.
std::map<std::string, std::size_t> header_columns(const CsvRecord& header,
                                                  const std::vector<std::string>& wanted,
                                                  const std::string& names,
                                                  std::vector<std::string>& problems) {
    std::map<std::string, std::size_t> column;
    for (std::size_t i = 0; i < header.fields.size(); ++i) {
        column.emplace(column_name(header.fields[i]), i);
    }
    for (const std::string& name : wanted) {
        if (!column.contains(name)) {
            problems.push_back("line " + std::to_string(header.line) +
                               ": the header has no column \"" + name + "\" (it must name " +
                               names + ")");
        }
    }
    return column;
}

// One record's wanted fields, in the order of `wanted`; nothing when a field has a problem
// (each is added to `problems`).
std::optional<ImportTable::Record> read_record(const CsvRecord& record,
                                               const std::vector<std::string>& wanted,
                                               std::map<std::string, std::size_t>& column,
                                               std::size_t required,
                                               std::vector<std::string>& problems) {
    const std::string where = "line " + std::to_string(record.line) + ": ";
    ImportTable::Record row;
    row.line = record.line;
    bool valid = true;
    for (std::size_t i = 0; i < wanted.size(); ++i) {
        // An export's guarded cell ("'=...") is read back as what was exported ("=...").
        row.fields.push_back(unguard_formula(record.fields[column[wanted[i]]]));
        // An optional field of spaces is an empty one; a required one is refused as blank.
        if (i >= required && is_blank_text(row.fields.back())) continue;
        const std::string problem = entry_field_problem(row.fields.back());
        if (!problem.empty()) {
            problems.push_back(where + wanted[i] + " " + problem);
            valid = false;
        }
    }
    if (!valid) return std::nullopt;
    return row;
}

}  // namespace

ImportTable read_import_table(std::string_view text, const ImportColumns& columns) {
    ImportTable result;
    std::vector<CsvRecord> records;
    try {
        records = parse_csv(text);
    } catch (const std::runtime_error& e) {
        result.problems.push_back(e.what());
        return result;
    }
    std::string names;
    for (const std::string& name : columns.required) names += (names.empty() ? "" : ",") + name;
    for (const std::string& name : columns.optional) names += "," + name;
    if (records.empty()) {
        result.problems.push_back("line 1: the file is empty (it needs the header " + names + ")");
        return result;
    }
    const CsvRecord& header = records.front();
    std::vector<std::string> wanted = columns.required;
    wanted.insert(wanted.end(), columns.optional.begin(), columns.optional.end());
    std::map<std::string, std::size_t> column =
        header_columns(header, wanted, names, result.problems);
    if (!result.problems.empty()) return result;
    const auto skip = columns.skip_column.empty() ? column.end() : column.find(columns.skip_column);

    std::map<std::string, std::size_t> first_line_of;
    for (std::size_t r = 1; r < records.size(); ++r) {
        const CsvRecord& record = records[r];
        const std::string where = "line " + std::to_string(record.line) + ": ";
        if (record.fields.size() != header.fields.size()) {
            result.problems.push_back(where + std::to_string(record.fields.size()) +
                                      " fields where the header has " +
                                      std::to_string(header.fields.size()));
            continue;
        }
        if (skip != column.end() &&
            column_name(record.fields[skip->second]) == columns.skip_value) {
            continue;
        }
        std::optional<ImportTable::Record> row =
            read_record(record, wanted, column, columns.required.size(), result.problems);
        if (!row) continue;
        const std::string key =
            columns.key_ignores_case ? badge_key(row->fields.front()) : row->fields.front();
        auto [previous, inserted] = first_line_of.emplace(key, record.line);
        if (!inserted) {
            result.problems.push_back(
                where + wanted.front() + " " + printable(row->fields.front()) +
                " is already on line " + std::to_string(previous->second) +
                (columns.key_ignores_case ? " (compared ignoring case and surrounding spaces)"
                                          : ""));
            continue;
        }
        result.records.push_back(std::move(*row));
    }
    if (!result.problems.empty()) result.records.clear();
    return result;
}

DeviceImport read_device_import(std::string_view text) {
    ImportTable table = read_import_table(
        text, {{"serial", "custodian", "officer", "head"}, {}, "registered", "no"});
    DeviceImport result;
    result.problems = std::move(table.problems);
    for (ImportTable::Record& record : table.records) {
        result.rows.push_back({record.line, std::move(record.fields[0]),
                               std::move(record.fields[1]), std::move(record.fields[2]),
                               std::move(record.fields[3])});
    }
    return result;
}

std::string device_export(const std::vector<DeviceRow>& devices) {
    std::vector<std::string> header(std::begin(kDeviceExportColumns),
                                    std::end(kDeviceExportColumns));
    std::string out = export_record(header);
    auto time = [](std::int64_t unix_s) {
        return unix_s == 0 ? std::string() : utc_iso8601(unix_s);
    };
    for (const DeviceRow& device : devices) {
        out += export_record({device.serial, device.custodian, device.officer, device.head,
                              device.model, device.firmware, device.registered ? "yes" : "no",
                              device.retired ? "yes" : "no", time(device.retired_at),
                              time(device.last_seen)});
    }
    return out;
}

}  // namespace cradle::ctl
