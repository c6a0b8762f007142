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

// Column headings.
std::string serial();
std::string model();
std::string firmware();
std::string custodian();
std::string officer();
std::string responsible_head();
std::string last_dock();
std::string last_offload();
std::string health();
std::string readiness();
std::string reasons();
std::string bay();
std::string docked_at();
std::string recordings();
std::string bytes();
std::string wiped();
std::string clock_correction();
std::string first_seen();
std::string last_seen();
std::string when();
std::string change();
std::string changed_by();

// Values.
std::string ready_for_duty();
std::string not_ready();
std::string needs_custodian();
std::string unregistered();
std::string pool();
std::string yes();
std::string no();
std::string fault();
std::string low_battery();
std::string low_storage();
std::string clock_not_trusted();

// Page furniture.
std::string page_of(int page, int pages);  // "page 2 of 5"
std::string continued();                   // after a heading repeated on a new page
std::string no_entries();

}  // namespace cradle::reports::texts
