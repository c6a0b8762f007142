// SPDX-License-Identifier: Apache-2.0
// A report as JSON, for programs: stable keys (the report's, the sections' and the columns'),
// rows as objects keyed by column, times both as ISO 8601 UTC and as the local rendering.
//
// {"report": "assignments", "title": "...", "subtitle": "...",
//  "generated_at": {"utc": "2026-03-29T01:00:00Z", "local": "2026-03-29 03:00:00 CEST"},
//  "sections": [{"section": "devices", "heading": "...", "note": "..." (or absent),
//                "columns": [{"key": "serial", "heading": "Serial"}, ...],
//                "rows": [{"serial": "BWC-0001", "docked_at": {"utc": ..., "local": ...},
//                          "bytes": 1024, "wiped": true}, ...]}]}
#pragma once

#include <string>

#include "common/json.hpp"
#include "reports/report.hpp"

namespace cradle::reports {

std::string render_json(const Report& report);

// A JSON string literal, quotes included (the one JSON writer, common/json.hpp).
using cradle::json_string;

}  // namespace cradle::reports
