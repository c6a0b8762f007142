// SPDX-License-Identifier: Apache-2.0
// The audit entries of the register and of the officers' roster: the details that carry each
// change's contents. The catalog writes them (catalog_devices.cpp, catalog_roster.cpp) and the
// verifier reads them back (register_replay.hpp) to hold the tables to the signed log: one
// spelling for both, so that the two cannot drift apart.
//
// A value may itself hold a separator ("; officer=", "; name=", ...): nothing refuses one. A
// detail is therefore compared with one made again from a row's values, never taken apart to
// decide; the readers below take a detail apart only to name what differs, and to know an entry
// of an earlier version that has no history row (register_replay.cpp).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace cradle {

inline constexpr std::string_view kDeviceRegisteredEvent = "device.registered";
inline constexpr std::string_view kDeviceRetiredEvent = "device.retired";
inline constexpr std::string_view kOfficerAddedEvent = "officer.added";
inline constexpr std::string_view kOfficerChangedEvent = "officer.changed";

// Every detail below is returned as the audit log stores it (sanitised and bounded like every
// detail, so that a long reason is cut where the log cuts it).

// "custodian=C; officer=O; head=H": the names a device.registered entry gives the device, as the
// devices row holds them.
std::string registration_names(std::string_view custodian, std::string_view officer,
                               std::string_view head);
// device.registered: the names, then "; by=B", "; reinstated" for a retired device taken back
// into service, and "; reason=R" when a reason was given.
std::string registration_detail(std::string_view custodian, std::string_view officer,
                                std::string_view head, std::string_view changed_by, bool reinstated,
                                std::string_view reason);
// device.retired: "by=B; reason=R".
std::string retirement_detail(std::string_view changed_by, std::string_view reason);

// "badge=B; name=N; team=T": what an officer.added or officer.changed entry makes an officers
// row; officer_detail goes on with "; was name=N, team=T" (a change) and "; by=B".
std::string officer_names(std::string_view badge, std::string_view name, std::string_view team);
struct OfficerBefore {
    std::string_view name;
    std::string_view team;
};
std::string officer_detail(std::string_view badge, std::string_view name, std::string_view team,
                           const std::optional<OfficerBefore>& before, std::string_view changed_by);
// Whether an officer entry's detail makes an officers row these values: `badge` in any ASCII
// case, since the row keeps the spelling it was added with (the column compares IDs ignoring
// case) while each entry names the ID as its roster spelled it.
bool officer_detail_shows(std::string_view detail, std::string_view badge, std::string_view name,
                          std::string_view team);

// The values of a detail, taking each field to end at the first separator after it. Exact for
// every detail whose values hold no separator; what a detail of version 1 lacks ("; by=") is
// left empty.
struct RegistrationFields {
    std::string custodian;
    std::string officer;
    std::string head;
    std::string changed_by;
    bool reinstated = false;
    std::string reason;
};
std::optional<RegistrationFields> read_registration_detail(std::string_view detail);
struct RetirementFields {
    std::string changed_by;
    std::string reason;
};
std::optional<RetirementFields> read_retirement_detail(std::string_view detail);
struct OfficerFields {
    std::string badge;
    std::string name;
    std::string team;
};
std::optional<OfficerFields> read_officer_detail(std::string_view detail);

}  // namespace cradle
