// Reads what the reports need (reports/report_input.hpp) from the catalog: the same facts for
// the daemon's D-Bus API and for cradlectl's offline reports. Read-only; each call reads one
// consistent snapshot.
#pragma once

#include "daemon/catalog.hpp"
#include "reports/report_input.hpp"

#include <string>

namespace cradle {

reports::AssignmentsInput read_assignments_input(const Catalog& catalog, reports::Period period,
                                                 const std::string& cradle_name);

reports::DockDayInput read_dock_day_input(const Catalog& catalog, const std::string& date,
                                          reports::Period day, const std::string& cradle_name);

}  // namespace cradle
