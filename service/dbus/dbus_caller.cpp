// SPDX-License-Identifier: Apache-2.0
#include "service/dbus/dbus_caller.hpp"

#include <grp.h>
#include <pwd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <optional>

namespace cradle::dbus {
namespace {

// getgrnam_r and getpwuid_r need a buffer of unknown size; they say ERANGE until it fits.
constexpr std::size_t kMaxEntryBuffer = 1 << 20;

std::optional<gid_t> group_id(const std::string& name) {
    std::vector<char> buffer(1024);
    while (buffer.size() <= kMaxEntryBuffer) {
        group entry{};
        group* found = nullptr;
        int r = ::getgrnam_r(name.c_str(), &entry, buffer.data(), buffer.size(), &found);
        if (r == ERANGE) {
            buffer.resize(buffer.size() * 2);
            continue;
        }
        if (r != 0 || found == nullptr) return std::nullopt;
        return found->gr_gid;
    }
    return std::nullopt;
}

std::string user_name(uid_t uid) {
    std::vector<char> buffer(1024);
    while (buffer.size() <= kMaxEntryBuffer) {
        passwd entry{};
        passwd* found = nullptr;
        int r = ::getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found);
        if (r == ERANGE) {
            buffer.resize(buffer.size() * 2);
            continue;
        }
        if (r != 0 || found == nullptr) return {};
        return found->pw_name;
    }
    return {};
}

}  // namespace

int read_caller(sd_bus_message* credentials, Caller& caller) {
    if (sd_bus_message_is_method_error(credentials, nullptr)) {
        int error = sd_bus_message_get_errno(credentials);
        return error > 0 ? -error : -EIO;
    }
    bool uid_known = false;
    int r = sd_bus_message_enter_container(credentials, 'a', "{sv}");
    if (r < 0) return r;
    while ((r = sd_bus_message_enter_container(credentials, 'e', "sv")) > 0) {
        const char* key = nullptr;
        r = sd_bus_message_read(credentials, "s", &key);
        if (r < 0) return r;
        if (std::strcmp(key, "UnixUserID") == 0) {
            std::uint32_t uid = 0;
            r = sd_bus_message_read(credentials, "v", "u", &uid);
            if (r < 0) return r;
            caller.uid = uid;
            uid_known = true;
        } else if (std::strcmp(key, "UnixGroupIDs") == 0) {
            r = sd_bus_message_enter_container(credentials, 'v', "au");
            if (r < 0) return r;
            const void* data = nullptr;
            std::size_t bytes = 0;
            r = sd_bus_message_read_array(credentials, 'u', &data, &bytes);
            if (r < 0) return r;
            const auto* gids = static_cast<const std::uint32_t*>(data);
            caller.groups.assign(gids, gids + bytes / sizeof(std::uint32_t));
            caller.groups_known = true;
            r = sd_bus_message_exit_container(credentials);
            if (r < 0) return r;
        } else {
            r = sd_bus_message_skip(credentials, "v");
            if (r < 0) return r;
        }
        r = sd_bus_message_exit_container(credentials);
        if (r < 0) return r;
    }
    if (r < 0) return r;
    if (!uid_known) return -ENODATA;
    std::string name = user_name(caller.uid);
    caller.changed_by = "uid " + std::to_string(caller.uid);
    if (!name.empty()) caller.changed_by += " (" + name + ")";
    return 0;
}

const char* action_id(Right right) {
    switch (right) {
        case Right::read:
            return "org.cradled.read";
        case Right::register_devices:
            return "org.cradled.register";
        case Right::export_recordings:
            return "org.cradled.export";
        case Right::read_confidential:
            return "org.cradled.read-confidential";
        case Right::audit:
            return "org.cradled.audit";
        case Right::administer:
            return "org.cradled.administer";
    }
    return "org.cradled.administer";
}

std::vector<std::string> groups_granting(Right right, const RoleGroups& groups) {
    switch (right) {
        case Right::read:
            return {groups.custodian, groups.auditor, groups.admin};
        case Right::register_devices:
        case Right::export_recordings:
            return {groups.custodian, groups.admin};
        case Right::audit:
            return {groups.auditor, groups.admin};
        case Right::read_confidential:
        case Right::administer:
            return {groups.admin};
    }
    return {groups.admin};
}

std::string group_denial(const Caller& caller, Right right, const RoleGroups& groups) {
    if (caller.uid == 0) return {};
    const std::vector<std::string> granting = groups_granting(right, groups);
    std::string names;
    bool any_exists = false;
    for (const std::string& name : granting) {
        names += (names.empty() ? "'" : (&name == &granting.back() ? " or '" : ", '")) + name + "'";
        std::optional<gid_t> gid = group_id(name);
        if (!gid) continue;
        any_exists = true;
        if (caller.groups_known &&
            std::find(caller.groups.begin(), caller.groups.end(), *gid) != caller.groups.end()) {
            return {};
        }
    }
    std::string denial = std::string(action_id(right)) +
                         " needs root or membership of a group granting it: " + names;
    if (!any_exists) return denial + " (no such group on this system)";
    if (!caller.groups_known) return denial + " (the bus did not report the caller's groups)";
    return denial;
}

}  // namespace cradle::dbus
