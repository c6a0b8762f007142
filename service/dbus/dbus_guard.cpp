// SPDX-License-Identifier: Apache-2.0
// The caller guard on the connection (what it decides and why: caller_guard.hpp). A filter sees
// every method call before sd-bus dispatches it: a call beyond its user's rate is answered
// LimitsExceeded at once, a call of a connection that leaves its replies unread is dropped.
// The bus daemon is asked, asynchronously, who each new connection is
// (GetConnectionCredentials, kept for the connection's life: a unique name is never reused) and
// how many bytes wait in its queue (org.freedesktop.DBus.Debug.Stats.GetConnectionStats, which
// the shipped bus policy lets the service user call). A bus daemon that does not answer the
// latter (built without statistics, or another broker) leaves slow readers undetected: that is
// logged once, and the rate limits still hold.
#include "service/dbus/dbus_server_internal.hpp"

#include <cstring>

namespace cradle::dbus_server {
namespace {

constexpr const char* kBusName = "org.freedesktop.DBus";
constexpr const char* kBusPath = "/org/freedesktop/DBus";

int guard_filter(sd_bus_message* message, void* userdata, sd_bus_error*) {
    try {
        return static_cast<DbusServer*>(userdata)->guard_call(message);
    } catch (...) {
        return 0;  // a guard that fails lets the call through to its own checks
    }
}

int identified_callback(sd_bus_message* credentials, void* userdata, sd_bus_error*) {
    auto* question = static_cast<DbusServer::GuardQuestion*>(userdata);
    try {
        question->server->guard_identified(question->id, credentials);
    } catch (...) {
    }
    return 0;
}

int measured_callback(sd_bus_message* stats, void* userdata, sd_bus_error*) {
    auto* question = static_cast<DbusServer::GuardQuestion*>(userdata);
    try {
        question->server->guard_measured(question->id, stats);
    } catch (...) {
    }
    return 0;
}

int name_owner_changed(sd_bus_message* signal, void* userdata, sd_bus_error*) {
    try {
        static_cast<DbusServer*>(userdata)->connection_left(signal);
    } catch (...) {
    }
    return 0;
}

// OutgoingBytes of a GetConnectionStats reply; negative errno when it is not there.
int read_outgoing_bytes(sd_bus_message* stats, std::uint64_t& bytes) {
    int r = sd_bus_message_enter_container(stats, 'a', "{sv}");
    if (r < 0) return r;
    while ((r = sd_bus_message_enter_container(stats, 'e', "sv")) > 0) {
        const char* key = nullptr;
        r = sd_bus_message_read(stats, "s", &key);
        if (r < 0) return r;
        if (std::strcmp(key, "OutgoingBytes") == 0) {
            std::uint32_t value = 0;
            r = sd_bus_message_read(stats, "v", "u", &value);
            if (r < 0) return r;
            bytes = value;
            return 1;
        }
        r = sd_bus_message_skip(stats, "v");
        if (r < 0) return r;
        r = sd_bus_message_exit_container(stats);
        if (r < 0) return r;
    }
    return r < 0 ? r : -ENODATA;
}

std::string kibibytes(std::uint64_t bytes) {
    return std::to_string(bytes / 1024) + " KiB";
}

}  // namespace

void DbusServer::add_caller_guard() {
    sd_bus_slot* slot = nullptr;
    int r = sd_bus_add_filter(bus_.get(), &slot, guard_filter, this);
    if (r < 0) throw BusError("cannot watch the calls: " + errno_text(r));
    slots_.emplace_back(slot);
    slot = nullptr;
    r = sd_bus_match_signal_async(bus_.get(), &slot, kBusName, kBusPath, kBusName,
                                  "NameOwnerChanged", name_owner_changed, nullptr, this);
    if (r < 0) throw BusError("cannot watch connections leave: " + errno_text(r));
    slots_.emplace_back(slot);
}

int DbusServer::guard_call(sd_bus_message* call) {
    if (!sd_bus_message_is_method_call(call, nullptr, nullptr)) return 0;
    const char* sender = sd_bus_message_get_sender(call);
    if (sender == nullptr) return 0;  // a direct peer, not a bus: nothing to guard
    const std::string connection = sender;
    const dbus::CallerGuard::Decision decision =
        guard_.on_call(connection, dbus::CallerGuard::Clock::now());
    if (decision.identify) ask_guard_question(connection, false);
    if (decision.measure) ask_guard_question(connection, true);
    switch (decision.verdict) {
        case dbus::CallerGuard::Verdict::answer:
            return 0;
        case dbus::CallerGuard::Verdict::too_many: {
            const std::optional<uid_t> uid = guard_.uid_of(connection);
            sd_bus_reply_method_errorf(
                call, SD_BUS_ERROR_LIMITS_EXCEEDED,
                "uid %u calls more often than %g times a second; try again shortly",
                static_cast<unsigned>(uid.value_or(0)), dbus::CallerGuard::kCallsPerSecond);
            return 1;
        }
        case dbus::CallerGuard::Verdict::starve:
            // Logged when a measure starved the connection (guard_measured), not per call.
            return 1;
    }
    return 0;
}

void DbusServer::ask_guard_question(const std::string& connection, bool measure) {
    if (measure && queues_unmeasurable_) {
        // Nothing to ask: the guard is told the queue is empty, so that it starves no one on
        // guesses it can never check.
        guard_.measured(connection, 0, dbus::CallerGuard::Clock::now());
        return;
    }
    auto question = std::make_unique<GuardQuestion>();
    question->server = this;
    question->id = next_guard_question_++;
    question->connection = connection;
    sd_bus_slot* slot = nullptr;
    const int r =
        measure
            ? sd_bus_call_method_async(bus_.get(), &slot, kBusName, kBusPath,
                                       "org.freedesktop.DBus.Debug.Stats", "GetConnectionStats",
                                       measured_callback, question.get(), "s", connection.c_str())
            : sd_bus_call_method_async(bus_.get(), &slot, kBusName, kBusPath, kBusName,
                                       "GetConnectionCredentials", identified_callback,
                                       question.get(), "s", connection.c_str());
    if (r < 0) {
        if (measure) {
            guard_.not_measured(connection);
        } else {
            guard_.not_identified(connection);
        }
        return;
    }
    question->pending.reset(slot);
    guard_questions_.emplace(question->id, std::move(question));
}

void DbusServer::guard_identified(std::uint64_t id, sd_bus_message* credentials) {
    auto found = guard_questions_.find(id);
    if (found == guard_questions_.end()) return;
    const std::string connection = found->second->connection;
    guard_questions_.erase(found);
    dbus::Caller caller;
    if (dbus::read_caller(credentials, caller) < 0) {
        guard_.not_identified(connection);
        return;
    }
    const bool privileged =
        dbus::group_denial(caller, dbus::Right::register_devices,
                           {service_.config().custodian_group, service_.config().auditor_group,
                            service_.config().admin_group})
            .empty();
    guard_.identified(connection, caller.uid, privileged);
}

void DbusServer::guard_measured(std::uint64_t id, sd_bus_message* stats) {
    auto found = guard_questions_.find(id);
    if (found == guard_questions_.end()) return;
    const std::string connection = found->second->connection;
    guard_questions_.erase(found);
    const auto now = dbus::CallerGuard::Clock::now();
    if (sd_bus_message_is_method_error(stats, nullptr)) {
        const sd_bus_error* error = sd_bus_message_get_error(stats);
        const char* name = error != nullptr && error->name != nullptr ? error->name : "";
        if (std::strcmp(name, SD_BUS_ERROR_NAME_HAS_NO_OWNER) == 0) {
            guard_.left(connection);  // it left before the answer
            return;
        }
        if (!queues_unmeasurable_) {
            queues_unmeasurable_ = true;
            service_.log().warning(
                {}, std::string("D-Bus: the bus daemon does not say how much a caller leaves "
                                "unread (GetConnectionStats: ") +
                        name +
                        "): a caller that never reads its replies is not detected; the rate "
                        "limits still hold");
        }
        log_guard_change(connection, guard_.measured(connection, 0, now), 0);
        return;
    }
    std::uint64_t queued = 0;
    if (read_outgoing_bytes(stats, queued) < 0) {
        guard_.not_measured(connection);
        return;
    }
    log_guard_change(connection, guard_.measured(connection, queued, now), queued);
}

void DbusServer::connection_left(sd_bus_message* signal) {
    const char *name = nullptr, *old_owner = nullptr, *new_owner = nullptr;
    if (sd_bus_message_read(signal, "sss", &name, &old_owner, &new_owner) < 0) return;
    // A unique name that lost its owner is a connection gone for good.
    if (name[0] != ':' || new_owner[0] != '\0') return;
    guard_.left(name);
}

void DbusServer::log_guard_change(const std::string& connection, dbus::CallerGuard::Change change,
                                  std::uint64_t queued_bytes) {
    if (change == dbus::CallerGuard::Change::none) return;
    const std::optional<uid_t> uid = guard_.uid_of(connection);
    const std::string who =
        connection + (uid ? " (uid " + std::to_string(*uid) + ")" : std::string(" (uid unknown)"));
    if (change == dbus::CallerGuard::Change::starved) {
        service_.log().warning(
            {}, "D-Bus: no longer answering " + who + ": it leaves its replies unread" +
                    (queued_bytes != 0 ? " (" + kibibytes(queued_bytes) + " wait in its queue)"
                                       : std::string()) +
                    "; its calls are dropped until it reads them");
    } else {
        service_.log().info({}, "D-Bus: answering " + who + " again: it read its replies");
    }
}

}  // namespace cradle::dbus_server
