// SPDX-License-Identifier: Apache-2.0
// A cell as the words a reader sees (local times, translated yes/no); shared by the
// renderers so CSV, JSON and PDF print the same thing.
#pragma once

#include <string>

#include "reports/report.hpp"

namespace cradle::reports {

std::string number_text(const NumberCell& cell);
std::string cell_text(const Cell& cell);

}  // namespace cradle::reports
