// SPDX-License-Identifier: Apache-2.0
// Reads what the reports need (core/catalog/report_facts.hpp) from the catalog: the same facts for
// the daemon's D-Bus API and for cradlectl's offline reports. Read-only; each call reads one
// consistent snapshot.
#pragma once

#include "core/catalog/catalog.hpp"
#include "core/catalog/report_facts.hpp"

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

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

// The ids of the recordings among `recordings` that are marked confidential (a mark of their
// own or of their device).
std::set<std::int64_t> confidential_among(const Catalog& catalog,
                                          const std::vector<reports::RecordingFacts>& recordings);

// A confidential recording as a report shows it to a reader without
// org.cradled.read-confidential: counted, on the day it was archived and wiped, named
// "(confidential)", with nothing else.
reports::RecordingFacts withheld(const reports::RecordingFacts& recording);

// Withholds, in place, the facts of each recording of `recordings` whose id is in `ids`.
void withhold(std::vector<reports::RecordingFacts>& recordings, const std::set<std::int64_t>& ids);

}  // namespace cradle
