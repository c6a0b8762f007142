// SPDX-License-Identifier: Apache-2.0
// The device register as CSV (RFC 4180), IT's bulk path in and out of the register: `cradlectl
// import devices` reads serial,custodian,officer,head; `cradlectl export devices` writes those
// columns and what the cradle knows of each device. UTF-8 throughout, so names in any script
// (Chinese included) go through unchanged.
#pragma once

#include "common/csv.hpp"
#include "core/catalog/catalog.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace cradle::ctl {

// One CSV record and the line of the file it starts on (1-based; a quoted field may span lines).
struct CsvRecord {
    std::size_t line = 0;
    std::vector<std::string> fields;
};

// Splits RFC 4180 text into records: fields separated by commas, records by CRLF or LF, a field
// in double quotes may hold commas, line breaks and doubled quotes (""). A UTF-8 byte order mark
// at the start is skipped; blank lines are skipped. Throws std::runtime_error naming the line on
// malformed quoting.
std::vector<CsvRecord> parse_csv(std::string_view text);

// One record of an export (RFC 4180, CRLF-terminated, as csv_record writes it), each cell a
// spreadsheet would run as a formula guarded as the reports guard theirs (guard_formula); the
// import removes the guard again, so that what is exported imports back unchanged.
std::string export_record(std::vector<std::string> fields);

// Empty when `value` may be a field of a register entry or of the officers' roster (what the
// daemon accepts: not empty, at most 128 bytes, no control or formatting characters, UTF-8);
// otherwise the problem ("is empty", ...).
std::string entry_field_problem(std::string_view value);

// A header's column name as compared: surrounding blanks removed, lower case.
std::string column_name(std::string_view text);

// An import file read as a table: the header names the columns (any order, any case; further
// columns, such as an export's, are ignored), each data record has as many fields as the
// header. The fields asked for are checked with entry_field_problem (an optional one may be
// empty; a required one may not be blank either), and the key field may not repeat. Every problem
// names its line; when there is one, `records` is empty. A field an export guarded against
// spreadsheets ("'=...") is read without the guard's apostrophe (unguard_formula).
struct ImportTable {
    struct Record {
        std::size_t line = 0;
        std::vector<std::string> fields;  // in the order of the names asked for
    };
    std::vector<Record> records;
    std::vector<std::string> problems;
};
struct ImportColumns {
    std::vector<std::string> required;  // the first is the key (serial, badge)
    std::vector<std::string> optional;  // may be empty in a record
    // A record whose field `skip_column` is `skip_value` (compared as column_name) is left out
    // unchecked: an exported device the cradle has only seen has no entry to import.
    std::string skip_column;
    std::string skip_value;
    // The key compared as the roster compares badges: without surrounding blanks, ASCII letters
    // in any case. Serials are compared exactly.
    bool key_ignores_case = false;
};
ImportTable read_import_table(std::string_view text, const ImportColumns& columns);

// One row of a device import.
struct DeviceImportRow {
    std::size_t line = 0;
    std::string serial;
    std::string custodian;
    std::string officer;
    std::string head;
};

// The rows of an import file, or every problem found in it (each naming its line), never both:
// an import applies all of its rows or none. The first record must be the header
// "serial,custodian,officer,head" (any case, surrounding blanks ignored); each further record
// has those four fields, none empty, none longer than 128 bytes or holding control or
// formatting characters, and no serial twice.
struct DeviceImport {
    std::vector<DeviceImportRow> rows;
    std::vector<std::string> problems;
};
DeviceImport read_device_import(std::string_view text);

// The columns of `export devices`, header first.
inline constexpr const char* kDeviceExportColumns[] = {
    "serial",   "custodian",  "officer", "head",       "model",
    "firmware", "registered", "retired", "retired_at", "last_seen"};

// The export file: a header line, then one line per device, times as ISO 8601 UTC ("" for
// never), booleans as "yes"/"no".
std::string device_export(const std::vector<DeviceRow>& devices);

}  // namespace cradle::ctl
