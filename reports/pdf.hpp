// SPDX-License-Identifier: Apache-2.0
// A report as a printable PDF: A4, title, section headings, tables with wrapped cells whose
// header row is repeated after each page break, "page N of M" on every page. Text is set with a
// CJK-capable font found through fontconfig ("Noto Sans CJK SC", else "WenQuanYi Micro Hei",
// else whatever fontconfig substitutes), so Chinese names and headings print as Chinese.
#pragma once

#include <string>

#include "reports/report.hpp"

namespace cradle::reports {

// The PDF file's bytes. Throws std::runtime_error when cairo cannot produce it.
std::string render_pdf(const Report& report);

}  // namespace cradle::reports
