// SPDX-License-Identifier: Apache-2.0
// Writing CSV (RFC 4180: comma separated, CRLF line ends, a field with a comma, a quote or a line
// break quoted, quotes doubled), for the reports and for the register's and roster's exports.
// Text is UTF-8; invalid bytes become U+FFFD.
//
// A spreadsheet runs a cell that starts with =, +, -, @, a tab or a CR as a formula: a camera's
// model "=HYPERLINK(...)" or an officer's name typed that way would run on the custodian's
// machine. guard_formula() keeps such a cell as text with a leading apostrophe, as spreadsheets
// themselves do; a program that reads the file back (an import) removes it with
// unguard_formula().
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cradle {

// One field as RFC 4180 writes it: quoted only when it must be.
std::string csv_field(std::string_view text);

// One record, CRLF-terminated, each field as csv_field writes it. No formula guard: the caller
// guards the cells a person typed or a device reported.
std::string csv_record(const std::vector<std::string>& fields);

// text with a leading apostrophe when a spreadsheet would take it for a formula; else text.
std::string guard_formula(std::string text);

// What guard_formula was given: the apostrophe it added is removed. A value that itself starts
// with an apostrophe followed by =, +, -, @, a tab or a CR cannot be told from a guarded one and
// loses its apostrophe.
std::string unguard_formula(std::string text);

}  // namespace cradle
