// SPDX-License-Identifier: Apache-2.0
// The facts of the reports (core/catalog/report_facts.hpp) as D-Bus values: GetAssignmentsFacts,
// GetDockDayFacts, ListOfficers and ImportOfficers of dbus/org.cradled.Cradle1.xml. The daemon
// appends them, cradlectl reads them back; both sides use these functions, so the wire format
// is written down once (library cradle_dbus_facts, linked by both).
//
// Each function returns a negative errno when sd-bus refused (a reply too large, a message of
// another signature), else zero or more.
#pragma once

#include "core/catalog/report_facts.hpp"
#include "protocol/cradle1_contract.hpp"
#include "protocol/dbus_signature.hpp"

#include <systemd/sd-bus.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace cradle::dbus {

// One element of each array, as the XML declares it (the fields in the order it documents).
namespace facts {
using Assignments = protocol::cradle1::Manager::GetAssignmentsFacts;
using DockDay = protocol::cradle1::Manager::GetDockDayFacts;
}  // namespace facts
inline constexpr auto kDeviceFactsType = element_of(facts::Assignments::arg::devices);
inline constexpr auto kDockFactsType = element_of(facts::Assignments::arg::last_docks);
inline constexpr auto kReadinessFactsType = element_of(facts::Assignments::arg::readiness);
inline constexpr auto kRecordingFactsType = element_of(facts::Assignments::arg::disagreements);
inline constexpr auto kChangeFactsType = element_of(facts::Assignments::arg::changes);
inline constexpr auto kOfficerFactsType = element_of(facts::Assignments::arg::officers);
// ListOfficers: and updated_at.
inline constexpr auto kOfficerListType =
    element_of(protocol::cradle1::Manager::ListOfficers::arg::officers);

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
