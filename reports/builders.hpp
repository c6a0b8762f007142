// SPDX-License-Identifier: Apache-2.0
// The reports a custodian prints, built from the facts of the register and the catalog
// (report_input.hpp). The fixed texts come in the reader's language (translation.hpp); times
// stay UTC in the model and are shown in local time by the renderers.
#pragma once

#include "core/catalog/report_facts.hpp"
#include "reports/report.hpp"

#include <cstdint>

namespace cradle::reports {

// The Article 6 device-assignment report (key "assignments"). Sections: "devices" (custodian,
// officer, head, last dock, last offload, health, readiness), "unregistered" (cameras seen and
// not registered), "changes" (the register's changes in the period), "attribution"
// (recordings whose camera reported another officer than the one assigned).
Report build_assignments_report(const AssignmentsInput& input, std::int64_t generated_at_utc);

// What each camera offloaded and wiped on one day (key "dock"). Sections: "docks" (per dock:
// bay, camera, officer, battery, faults, clock drift and correction, archived, wiped,
// readiness) and "recordings" (per recording: camera, captured, size, officer at capture, the
// camera's officer ID, disagreement, wiped).
Report build_dock_report(const DockDayInput& input, std::int64_t generated_at_utc);

}  // namespace cradle::reports
