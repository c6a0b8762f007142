// SPDX-License-Identifier: Apache-2.0
// The fixed texts of the reports, each translated through gettext in one place, so the
// message catalog (po/cradled.pot) lists exactly what a report can print.
#pragma once

#include <string>

namespace cradle::reports::texts {

// Report titles and sections.
std::string device_assignments();  // the Article 6 report
std::string dock_report();         // a day at the cradle
std::string devices();
std::string unregistered_devices_seen();
std::string changes_in_period();
std::string offloads();
std::string period(const std::string& from, const std::string& to);
std::string cradle(const std::string& name);
std::string generated_at(const std::string& when);
std::string attribution_disagreements();
std::string docks();
std::string recordings_of_the_day();  // the dock report's section of recordings
std::string day(const std::string& date);

// Notes under the section headings: what the section lists, in a sentence or two.
std::string devices_note();
std::string unregistered_note();
std::string changes_note();
std::string attribution_note();
std::string docks_note();
std::string recordings_note();

// Column headings.
std::string serial();
std::string model();
std::string firmware();
std::string custodian();
std::string officer();
std::string responsible_head();
std::string last_dock();
std::string last_offload();
std::string readiness();
std::string bay();
std::string docked_at();
std::string first_seen();
std::string last_seen();
std::string when();
std::string change();
std::string changed_by();
std::string status();
std::string battery_percent();
std::string faults();
std::string action();
std::string reason();
std::string recording();
std::string captured();
std::string officer_at_capture();
std::string camera_officer_id();
std::string charging();
std::string clock_drift();
std::string clock_corrected();
std::string recordings_archived();
std::string bytes_archived();
std::string recordings_wiped();
std::string size_bytes();
std::string disagrees();
std::string archived_at();
std::string wiped_at();

// Values.
std::string ready_for_duty();
std::string not_ready();
std::string needs_custodian();
std::string docked_being_checked();  // a dock under way, no verdict yet
std::string interrupted();           // a dock cut short (the service was killed)
std::string unregistered();
std::string pool();
std::string yes();
std::string no();
std::string low_battery();
std::string registered();  // a device's status in the register
std::string retired();
std::string not_ready_because(const std::string& reasons);  // "not ready: battery 35% ..."
std::string needs_custodian_because(const std::string& reason);
// A register change's action as stored ("registered", "reassigned", "changed", "retired",
// "reinstated"), in the reader's language; an unknown action is returned as it is.
std::string change_action(const std::string& action);
std::string labelled(const std::string& label, const std::string& value);  // "Officer: 张伟"

// Page furniture.
std::string page_of(int page, int pages);  // "page 2 of 5"
std::string continued();                   // after a heading repeated on a new page
std::string no_entries();

}  // namespace cradle::reports::texts
