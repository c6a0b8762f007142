// SPDX-License-Identifier: Apache-2.0
// Who may change the register and the roster: the bus daemon is asked who sent a changing call
// (GetConnectionCredentials, asynchronously, so the loop never waits), and only root or a
// member of the custodian group (dbus_caller.hpp) is let through.
#include "service/dbus/dbus_server_internal.hpp"

#include <cerrno>

namespace cradle::dbus_server {
namespace {

int credentials_callback(sd_bus_message* credentials, void* userdata, sd_bus_error*) {
    auto* check = static_cast<DbusServer::CredentialsCheck*>(userdata);
    try {
        check->server->credentials_known(check->ticket, credentials);
    } catch (...) {
        // The call stays unanswered; its caller's bus times it out.
    }
    return 0;
}

}  // namespace

void DbusServer::when_custodian(std::uint64_t ticket, sd_bus_message* call, const char* method,
                                Allowed allowed) {
    auto check = std::make_unique<CredentialsCheck>();
    check->server = this;
    check->ticket = ticket;
    check->method = method;
    check->allowed = std::move(allowed);
    const char* sender = sd_bus_message_get_sender(call);
    int r = -ENXIO;
    sd_bus_slot* slot = nullptr;
    if (sender != nullptr) {
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
    // Dropped when this returns, which is after sd-bus is done with its reply callback.
    std::unique_ptr<CredentialsCheck> check = std::move(found->second);
    checks_.erase(found);
    dbus::Caller caller;
    int r = dbus::read_caller(credentials, caller);
    if (r < 0) {
        deny(ticket, "the bus could not say who is calling (" + errno_text(r) + ")");
        return;
    }
    std::string denial = dbus::custodian_denial(caller, service_.config().custodian_group);
    if (!denial.empty()) {
        service_.log().warning({}, "D-Bus: " + check->method + " refused to " + caller.changed_by +
                                       ": not a custodian");
        deny(ticket, denial);
        return;
    }
    try {
        check->allowed(ticket, caller);
    } catch (...) {
        answer(ticket, std::current_exception(), nullptr);
    }
}

}  // namespace cradle::dbus_server
