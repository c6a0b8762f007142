// SPDX-License-Identifier: Apache-2.0
#include "reports/cell_text.hpp"

#include <cmath>
#include <cstdio>

#include "reports/local_time.hpp"
#include "reports/report_texts.hpp"

namespace cradle::reports {

std::string number_text(const NumberCell& cell) {
    if (!std::isfinite(cell.value)) {
        return {};
    }
    int decimals = cell.decimals < 0 ? 0 : (cell.decimals > 9 ? 9 : cell.decimals);
    char buffer[64];
    // Always a point: reports are read across locales, and the process's numeric locale stays C.
    std::snprintf(buffer, sizeof buffer, "%.*f", decimals, cell.value);
    return buffer;
}

std::string cell_text(const Cell& cell) {
    struct Visitor {
        std::string operator()(const TextCell& c) const { return c.value; }
        std::string operator()(const NumberCell& c) const { return number_text(c); }
        std::string operator()(const TimeCell& c) const { return local_time_text(c.utc_seconds); }
        std::string operator()(const FlagCell& c) const {
            return c.value ? texts::yes() : texts::no();
        }
    };
    return std::visit(Visitor{}, cell);
}

}  // namespace cradle::reports
