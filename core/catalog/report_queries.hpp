// SPDX-License-Identifier: Apache-2.0
// Reads what the reports need (core/catalog/report_facts.hpp) from the catalog: the same facts for
// the daemon's D-Bus API and for cradlectl's offline reports. Read-only; each call reads one
// consistent snapshot.
#pragma once

#include "core/catalog/catalog.hpp"
#include "core/catalog/report_facts.hpp"

#include <optional>
#include <string>

namespace cradle {

reports::AssignmentsInput read_assignments_input(const Catalog& catalog, reports::Period period,
                                                 const std::string& cradle_name);

reports::DockDayInput read_dock_day_input(const Catalog& catalog, const std::string& date,
                                          reports::Period day, const std::string& cradle_name);

// A device's readiness now, as the assignment report shows it: its latest verdict, or what its
// latest dock says when that dock came after the verdict (under way: "docked: being checked";
// cut short: its outcome). nullopt for an unknown device or one that never docked.
std::optional<reports::ReadinessFacts> read_device_readiness(const Catalog& catalog,
                                                             const std::string& serial);

}  // namespace cradle
