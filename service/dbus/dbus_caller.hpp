// SPDX-License-Identifier: Apache-2.0
// Who is calling a D-Bus method, as the bus daemon vouches for it, and whether that caller may
// change the device register: root, or a member of the custodian group.
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
};

// Reads the reply of org.freedesktop.DBus.GetConnectionCredentials. Returns a negative errno
// when it is an error or says nothing of the uid.
int read_caller(sd_bus_message* credentials, Caller& caller);

// Empty when `caller` may change the register; otherwise the reason, naming the group, for
// org.freedesktop.DBus.Error.AccessDenied.
std::string custodian_denial(const Caller& caller, const std::string& custodian_group);

}  // namespace cradle::dbus
