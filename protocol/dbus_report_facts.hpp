// The facts of the reports (core/catalog/report_facts.hpp) as D-Bus values: GetAssignmentsFacts,
// GetDockDayFacts, ListOfficers and ImportOfficers of dbus/org.cradled.Cradle1.xml. The daemon
// appends them, cradlectl reads them back; both sides use these functions, so the wire format
// is written down once (library cradle_dbus_facts, linked by both).
//
// Each function returns a negative errno when sd-bus refused (a reply too large, a message of
// another signature), else zero or more.
#pragma once

#include "core/catalog/report_facts.hpp"

#include <systemd/sd-bus.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace cradle::dbus {

// One element of each array, in the order the XML documents the fields.
inline constexpr const char* kDeviceFactsType = "(sssbbxsssxxx)";
inline constexpr const char* kDockFactsType = "(xsuxxsbibstbxbsttt)";
inline constexpr const char* kReadinessFactsType = "(sxbs)";
inline constexpr const char* kRecordingFactsType = "(xsstxxxssb)";
inline constexpr const char* kChangeFactsType = "(xssssssssss)";  // as GetDeviceHistory
inline constexpr const char* kOfficerFactsType = "(sss)";
inline constexpr const char* kOfficerListType = "(sssx)";  // ListOfficers: and updated_at

// The whole replies.
inline constexpr const char* kAssignmentsFactsSignature =
    "sa(sssbbxsssxxx)a(xsuxxsbibstbxbsttt)a(sxbs)a(xssssssssss)a(xsstxxxssb)a(sss)";
inline constexpr const char* kDockDayFactsSignature =
    "sa(xsuxxsbibstbxbsttt)a(xsstxxxssb)a(sssbbxsssxxx)a(sss)";

// GetAssignmentsFacts's reply after the cradle's name: devices, last_docks, readiness,
// changes, disagreements, officers. input.period is not sent: the caller chose it.
int append_assignments_facts(sd_bus_message* reply, const reports::AssignmentsInput& in);
int read_assignments_facts(sd_bus_message* reply, reports::AssignmentsInput& out);

// GetDockDayFacts's reply: the cradle's name, docks, recordings, devices, officers. The date
// and the period are the caller's.
int append_dock_day_facts(sd_bus_message* reply, const reports::DockDayInput& in);
int read_dock_day_facts(sd_bus_message* reply, reports::DockDayInput& out);

// ImportOfficers's argument.
int append_officers(sd_bus_message* call, const std::vector<reports::OfficerFacts>& list);
int read_officers(sd_bus_message* call, std::vector<reports::OfficerFacts>& list);

// About how many bytes the facts take on the bus, to refuse a reply the bus would not carry
// before building it.
std::size_t approximate_bytes(const reports::AssignmentsInput& in);
std::size_t approximate_bytes(const reports::DockDayInput& in);

}  // namespace cradle::dbus
