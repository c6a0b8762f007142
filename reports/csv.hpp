// SPDX-License-Identifier: Apache-2.0
// A report as CSV (RFC 4180: comma separated, CRLF line ends, fields with a comma, a quote or
// a line break quoted, quotes doubled), UTF-8 with a byte order mark.
//
// One file, one block per section: a header row, then the section's rows, then an empty line.
// The first field of every row is the section's key, so a program can pick its block; the
// first block ("report") holds the title, the subtitle and the generation time.
#pragma once

#include <string>

#include "common/csv.hpp"
#include "reports/report.hpp"

namespace cradle::reports {

std::string render_csv(const Report& report);

// One field as RFC 4180 writes it (the one CSV writer, common/csv.hpp).
using cradle::csv_field;

}  // namespace cradle::reports
