// SPDX-License-Identifier: Apache-2.0
// Who may do what (docs/access.md). For each call that needs a right, the bus daemon is asked
// who sent it (GetConnectionCredentials) and then polkit whether that sender holds the right's
// action (CheckAuthorization), both asynchronously, so the loop never waits; nothing is cached
// beyond the call. Root holds every right without asking. On a bus without polkit (no owner of
// org.freedesktop.PolicyKit1: a private bus, a machine without polkitd) the rights follow the
// roles' groups, as the shipped rules grant them. Any other failure to ask polkit refuses.
//
// Reads are put on record before they are answered: an "access.<right>" audit entry naming
// the caller, the method and what it asked. Refusals are logged and audited too, within
// RefusalRecord's limits.
#include "service/dbus/dbus_server_internal.hpp"

#include <cerrno>
#include <cstring>

namespace cradle::dbus_server {
namespace {

constexpr const char* kPolkitName = "org.freedesktop.PolicyKit1";
constexpr const char* kPolkitPath = "/org/freedesktop/PolicyKit1/Authority";
constexpr const char* kPolkitInterface = "org.freedesktop.PolicyKit1.Authority";
// CheckAuthorization's flags: the caller's client may show a password prompt.
constexpr std::uint32_t kAllowUserInteraction = 1;

int credentials_callback(sd_bus_message* credentials, void* userdata, sd_bus_error*) {
    auto* check = static_cast<DbusServer::CredentialsCheck*>(userdata);
    try {
        check->server->credentials_known(check->ticket, credentials);
    } catch (...) {
        // The call stays unanswered; its caller's bus times it out.
    }
    return 0;
}

int polkit_callback(sd_bus_message* answer, void* userdata, sd_bus_error*) {
    auto* check = static_cast<DbusServer::CredentialsCheck*>(userdata);
    try {
        check->server->polkit_answered(check->ticket, answer);
    } catch (...) {
    }
    return 0;
}

// The caller's name and role for the audit log: "uid 1000 (alice) with org.cradled.read".
std::string who(const dbus::Caller& caller, dbus::Right right) {
    if (caller.uid == 0) return caller.changed_by + " as root";
    return caller.changed_by + " with " + dbus::action_id(right);
}

const char* access_event(dbus::Right right) {
    switch (right) {
        case dbus::Right::read:
            return "access.read";
        case dbus::Right::export_recordings:
            return "access.export";
        case dbus::Right::read_confidential:
            return "access.read-confidential";
        case dbus::Right::audit:
            return "access.audit";
        case dbus::Right::register_devices:
            return "access.register";
        case dbus::Right::administer:
            return "access.administer";
    }
    return "access.administer";
}

}  // namespace

void DbusServer::when_allowed(std::uint64_t ticket, sd_bus_message* call, dbus::Right right,
                              std::string what, OnRecord on_record, Allowed allowed) {
    auto check = std::make_unique<CredentialsCheck>();
    check->server = this;
    check->ticket = ticket;
    check->right = right;
    check->what = std::move(what);
    check->on_record = on_record;
    check->allowed = std::move(allowed);
    check->caller.interactive = sd_bus_message_get_allow_interactive_authorization(call) > 0;
    const char* sender = sd_bus_message_get_sender(call);
    int r = -ENXIO;
    sd_bus_slot* slot = nullptr;
    if (sender != nullptr) {
        check->caller.bus_name = sender;
        r = sd_bus_call_method_async(bus_.get(), &slot, "org.freedesktop.DBus",
                                     "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                     "GetConnectionCredentials", credentials_callback, check.get(),
                                     "s", sender);
    }
    if (r < 0) {
        deny(ticket, "the bus could not say who is calling (" + errno_text(r) + ")");
        return;
    }
    check->pending.reset(slot);
    checks_.emplace(ticket, std::move(check));
}

void DbusServer::deny(std::uint64_t ticket, const std::string& why) {
    answer(ticket, std::make_exception_ptr(CallError(SD_BUS_ERROR_ACCESS_DENIED, why)), nullptr);
}

void DbusServer::credentials_known(std::uint64_t ticket, sd_bus_message* credentials) {
    auto found = checks_.find(ticket);
    if (found == checks_.end()) return;
    CredentialsCheck& check = *found->second;
    int r = dbus::read_caller(credentials, check.caller);
    if (r < 0) {
        checks_.erase(found);
        deny(ticket, "the bus could not say who is calling (" + errno_text(r) + ")");
        return;
    }
    ask_polkit(ticket);
}

void DbusServer::ask_right(std::uint64_t ticket, const dbus::Caller& caller, dbus::Right right,
                           Decided decided) {
    auto check = std::make_unique<CredentialsCheck>();
    check->server = this;
    check->ticket = ticket;
    check->right = right;
    check->caller = caller;
    check->decided = std::move(decided);
    checks_[ticket] = std::move(check);
    ask_polkit(ticket);
}

void DbusServer::ask_polkit(std::uint64_t ticket) {
    CredentialsCheck& check = *checks_.at(ticket);
    if (check.caller.uid == 0) {
        allow(ticket);
        return;
    }
    sd_bus_slot* slot = nullptr;
    // The subject is the caller's connection: polkit asks the bus daemon for its uid and
    // process itself. The service may ask for others' subjects as the actions' owner
    // (org.freedesktop.policykit.owner in dbus/org.cradled.policy).
    const int r = sd_bus_call_method_async(
        bus_.get(), &slot, kPolkitName, kPolkitPath, kPolkitInterface, "CheckAuthorization",
        polkit_callback, &check, "(sa{sv})sa{ss}us", "system-bus-name", 1, "name", "s",
        check.caller.bus_name.c_str(), dbus::action_id(check.right), 0,
        check.caller.interactive ? kAllowUserInteraction : 0u, "");
    if (r < 0) {
        refuse(ticket, "polkit could not be asked (" + errno_text(r) + ")");
        return;
    }
    // Replaces the finished GetConnectionCredentials call, if any; sd-bus is done with it.
    check.pending.reset(slot);
}

void DbusServer::polkit_answered(std::uint64_t ticket, sd_bus_message* answer) {
    auto found = checks_.find(ticket);
    if (found == checks_.end()) return;
    CredentialsCheck& check = *found->second;
    if (sd_bus_message_is_method_error(answer, nullptr)) {
        const sd_bus_error* error = sd_bus_message_get_error(answer);
        const char* name = error != nullptr && error->name != nullptr ? error->name : "";
        if (std::strcmp(name, SD_BUS_ERROR_SERVICE_UNKNOWN) == 0 ||
            std::strcmp(name, SD_BUS_ERROR_NAME_HAS_NO_OWNER) == 0) {
            const std::string denial = dbus::group_denial(
                check.caller, check.right,
                {service_.config().custodian_group, service_.config().auditor_group,
                 service_.config().admin_group});
            if (denial.empty()) {
                allow(ticket);
            } else {
                refuse(ticket, denial + " (no polkit on this bus: the roles' groups decide)");
            }
            return;
        }
        const char* message = error != nullptr && error->message != nullptr ? error->message : "";
        refuse(ticket, std::string("polkit could not decide (") + name + ": " + message + ")");
        return;
    }
    int authorized = 0;
    int challenge = 0;
    int r = sd_bus_message_enter_container(answer, 'r', "bba{ss}");
    if (r >= 0) r = sd_bus_message_read(answer, "bb", &authorized, &challenge);
    if (r < 0) {
        refuse(ticket, "polkit's answer could not be read (" + errno_text(r) + ")");
        return;
    }
    if (authorized) {
        allow(ticket);
        return;
    }
    std::string why = std::string(dbus::action_id(check.right)) + " is not granted to " +
                      check.caller.changed_by + " (polkit; docs/access.md names the groups)";
    if (challenge) why += "; polkit would grant it after authentication as an administrator";
    refuse(ticket, why);
}

void DbusServer::allow(std::uint64_t ticket) {
    auto found = checks_.find(ticket);
    if (found == checks_.end()) return;
    // Dropped when this returns, which is after sd-bus is done with its reply callback.
    std::unique_ptr<CredentialsCheck> check = std::move(found->second);
    checks_.erase(found);
    if (check->decided) {
        check->decided(true, {});
        return;
    }
    auto run = [this, ticket, caller = check->caller, allowed = std::move(check->allowed)] {
        try {
            allowed(ticket, caller);
        } catch (...) {
            answer(ticket, std::current_exception(), nullptr);
        }
    };
    if (check->on_record == OnRecord::no) {
        run();
        return;
    }
    // The access is on record before it is answered: a read the catalog cannot record is
    // refused with the catalog's failure.
    on_record_then(ticket,
                   AuditEvent{access_event(check->right),
                              0,
                              {},
                              0,
                              check->what + " by " + who(check->caller, check->right)},
                   std::move(run));
}

void DbusServer::on_record_then(std::uint64_t ticket, const AuditEvent& event,
                                std::function<void()> then) {
    service_.catalog_work(
        [event](Catalog& catalog) { catalog.audit(event, unix_now()); },
        [weak = weak_from_this(), ticket, then = std::move(then)](std::exception_ptr failure) {
            auto self = weak.lock();
            if (!self) return;
            self->guarded("access record", [&] {
                if (failure) {
                    self->answer(ticket, failure, nullptr);
                    return;
                }
                try {
                    then();
                } catch (...) {
                    self->answer(ticket, std::current_exception(), nullptr);
                }
            });
        });
}

void DbusServer::on_record_then_answer(std::uint64_t ticket, const AuditEvent& event,
                                       std::function<int(sd_bus_message*)> fill) {
    on_record_then(ticket, event,
                   [this, ticket, fill = std::move(fill)] { answer(ticket, nullptr, fill); });
}

void DbusServer::refuse(std::uint64_t ticket, const std::string& why) {
    auto found = checks_.find(ticket);
    if (found == checks_.end()) return;
    std::unique_ptr<CredentialsCheck> check = std::move(found->second);
    checks_.erase(found);
    if (check->decided) {
        check->decided(false, why);
        return;
    }
    refuse_call(ticket, check->caller, check->what, why);
}

void DbusServer::refuse_call(std::uint64_t ticket, const dbus::Caller& caller,
                             const std::string& what, const std::string& why) {
    const dbus::RefusalRecord::Decision decision = refusals_.refused(caller.uid, unix_now());
    if (!decision.record) {
        deny(ticket, why);
        return;
    }
    std::string detail = what + " refused to " + caller.changed_by + ": " + why;
    if (decision.not_recorded != 0) {
        detail += " (and " + std::to_string(decision.not_recorded) +
                  " earlier refusals of this caller, counted but not recorded one by one)";
    }
    service_.log().warning({}, "D-Bus: " + detail);
    // On record before the caller hears it; refused all the same if it cannot be recorded.
    service_.catalog_work([event = AuditEvent{"access.refused", 0, {}, 0, detail}](
                              Catalog& catalog) { catalog.audit(event, unix_now()); },
                          [weak = weak_from_this(), ticket, why](std::exception_ptr failure) {
                              auto self = weak.lock();
                              if (!self) return;
                              self->guarded("refusal record", [&] {
                                  self->deny(ticket, why);
                                  if (failure) std::rethrow_exception(failure);
                              });
                          });
}

}  // namespace cradle::dbus_server
