// SPDX-License-Identifier: Apache-2.0
// Who is calling a D-Bus method, as the bus daemon vouches for it, and the rights a call needs
// (docs/access.md): each a polkit action, asked of polkit by dbus_authorization.cpp. On a bus
// without polkit the rights follow the roles' groups, as the shipped polkit rules grant them.
//
// The credentials come from the bus daemon's GetConnectionCredentials, asked asynchronously:
// UnixUserID and UnixGroupIDs are what the kernel told the bus daemon about the caller's socket
// when it connected (SO_PEERCRED, SO_PEERGROUPS). sd_bus_query_sender_creds() is not used:
// with a dbus-daemon it fills in only the uid, and the groups would have to be read from
// /proc/<pid> (SD_BUS_CREDS_AUGMENT), which is racy and no basis for an authorization; it
// would also wait for the bus daemon's answer on the event loop.
#pragma once

#include <sys/types.h>

#include <systemd/sd-bus.h>

#include <string>
#include <vector>

namespace cradle::dbus {

struct Caller {
    uid_t uid = static_cast<uid_t>(-1);
    bool groups_known = false;
    std::vector<gid_t> groups;  // primary and supplementary
    std::string changed_by;     // for the audit log: "uid 1000 (alice)"
    std::string bus_name;       // the caller's unique name, the subject polkit is asked about
    bool interactive = false;   // its call allows polkit to ask for a password
};

// Reads the reply of org.freedesktop.DBus.GetConnectionCredentials. Returns a negative errno
// when it is an error or says nothing of the uid.
int read_caller(sd_bus_message* credentials, Caller& caller);

// The rights of the API, one polkit action each (dbus/org.cradled.policy).
enum class Right {
    read,               // org.cradled.read: the register, the roster, recordings, report facts
    register_devices,   // org.cradled.register: change the register and the roster
    export_recordings,  // org.cradled.export: copy recordings out of the archive
    read_confidential,  // org.cradled.read-confidential
    audit,              // org.cradled.audit: verify the archive and the audit log
    administer,         // org.cradled.administer: rotate the signing key
};

// "org.cradled.read", ...
const char* action_id(Right right);

// The groups of the three roles (the [dbus] keys of cradled.toml).
struct RoleGroups {
    std::string custodian;
    std::string auditor;
    std::string admin;
};

// The rights of each role, as the shipped polkit rules (dbus/50-cradled.rules) grant them:
// custodians read, register and export; auditors read and audit; admins hold every right.
// The groups, in that order, that grant `right`.
std::vector<std::string> groups_granting(Right right, const RoleGroups& groups);

// For a bus without polkit: empty when `caller` holds `right` through root or a group of
// groups_granting; otherwise the reason, naming the groups, for
// org.freedesktop.DBus.Error.AccessDenied.
std::string group_denial(const Caller& caller, Right right, const RoleGroups& groups);

}  // namespace cradle::dbus
