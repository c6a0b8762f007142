// SPDX-License-Identifier: Apache-2.0
// The officers' roster as CSV (RFC 4180, UTF-8), IT's bulk path in and out of it: `cradlectl
// import officers` reads badge,name,team; `cradlectl export officers` writes those columns and
// when each entry last changed. The badge is the ID a camera may report about its wearer.
#pragma once

#include "core/catalog/catalog.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace cradle::ctl {

struct OfficerImportRow {
    std::size_t line = 0;
    std::string badge;
    std::string name;
    std::string team;  // may be empty
};

// The rows of an import file, or every problem found in it (each naming its line), never both:
// an import applies all of its rows or none. The first record must be a header naming the
// columns badge, name and team (any order, any case; further columns, such as an export's
// updated_at, are ignored); badge and name are required, team may be empty; each field at most
// 128 bytes with no control or formatting characters, badge and name not blank; no badge twice,
// badges compared as the roster compares them (ignoring case and surrounding spaces).
struct OfficerImport {
    std::vector<OfficerImportRow> rows;
    std::vector<std::string> problems;
};
OfficerImport read_officer_import(std::string_view text);

// The columns of `export officers`, header first.
inline constexpr const char* kOfficerExportColumns[] = {"badge", "name", "team", "updated_at"};

// The export file: a header line, then one line per officer, updated_at as ISO 8601 UTC.
std::string officer_export(const std::vector<OfficerRow>& officers);

}  // namespace cradle::ctl
