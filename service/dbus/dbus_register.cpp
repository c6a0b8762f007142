// SPDX-License-Identifier: Apache-2.0
// The Manager's methods on the device register: RegisterDevice, AssignDevice and RetireDevice
// (org.cradled.register, each a change on the catalog's strand, then DeviceChanged), and
// GetDeviceHistory (org.cradled.read); and RotateSigningKey (org.cradled.administer).
#include "service/dbus/dbus_server_internal.hpp"

#include "common/ed25519.hpp"

namespace cradle::dbus_server {
namespace {

constexpr auto kHistoryType = dbus::element_of(manager_api::GetDeviceHistory::arg::history);

}  // namespace

int DbusServer::register_device(sd_bus_message* call) {
    const char* serial = nullptr;
    const char* custodian = nullptr;
    const char* officer = nullptr;
    const char* head = nullptr;
    check(sd_bus_message_read(call, manager_api::RegisterDevice::in, &serial, &custodian, &officer,
                              &head),
          "arguments");
    // Who calls is checked before what they ask: a caller who may not change the register
    // learns nothing from its arguments.
    when_allowed(park(call), call, dbus::Right::register_devices, "RegisterDevice", OnRecord::no,
                 [this, device = std::string(serial), custodian = std::string(custodian),
                  officer = std::string(officer),
                  head = std::string(head)](std::uint64_t ticket, const dbus::Caller& caller) {
                     require_valid("serial", device.c_str());
                     require_valid("custodian", custodian.c_str());
                     require_valid("officer", officer.c_str());
                     require_valid("head", head.c_str());
                     change_register(ticket, device,
                                     [device, custodian, officer, head,
                                      changed_by = caller.changed_by](Catalog& catalog) {
                                         catalog.register_device(device, custodian, officer, head,
                                                                 unix_now(), changed_by);
                                     });
                 });
    return 1;
}

int DbusServer::assign_device(sd_bus_message* call) {
    const char* serial = nullptr;
    const char* officer = nullptr;
    check(sd_bus_message_read(call, manager_api::AssignDevice::in, &serial, &officer), "arguments");
    when_allowed(park(call), call, dbus::Right::register_devices, "AssignDevice", OnRecord::no,
                 [this, device = std::string(serial), officer = std::string(officer)](
                     std::uint64_t ticket, const dbus::Caller& caller) {
                     require_valid("serial", device.c_str());
                     require_valid("officer", officer.c_str());
                     change_register(
                         ticket, device,
                         [device, officer, changed_by = caller.changed_by](Catalog& catalog) {
                             std::optional<DeviceRow> row = catalog.find_device(device);
                             if (!row) throw no_such_device(device);
                             if (!row->registered) {
                                 throw CallError(
                                     SD_BUS_ERROR_INVALID_ARGS,
                                     "serial: device '" + device +
                                         "' is not registered yet (RegisterDevice first)");
                             }
                             catalog.assign_officer(device, officer, unix_now(), changed_by);
                         });
                 });
    return 1;
}

int DbusServer::retire_device(sd_bus_message* call) {
    const char* serial = nullptr;
    const char* reason = nullptr;
    check(sd_bus_message_read(call, manager_api::RetireDevice::in, &serial, &reason), "arguments");
    when_allowed(park(call), call, dbus::Right::register_devices, "RetireDevice", OnRecord::no,
                 [this, device = std::string(serial), reason = std::string(reason)](
                     std::uint64_t ticket, const dbus::Caller& caller) {
                     require_valid("serial", device.c_str());
                     require_valid("reason", reason.c_str(), dbus::Emptiness::refused,
                                   dbus::kMaxReasonBytes);
                     change_register(
                         ticket, device,
                         [device, reason, changed_by = caller.changed_by](Catalog& catalog) {
                             if (!catalog.find_device(device)) {
                                 throw no_such_device(device);
                             }
                             catalog.retire_device(device, reason, unix_now(), changed_by);
                         });
                 });
    return 1;
}

int DbusServer::get_device_history(sd_bus_message* call) {
    const char* serial = nullptr;
    std::int64_t from = 0;
    std::int64_t to = 0;
    check(sd_bus_message_read(call, manager_api::GetDeviceHistory::in, &serial, &from, &to),
          "arguments");
    require_valid("serial", serial, dbus::Emptiness::allowed);
    if (from < 0) throw CallError(SD_BUS_ERROR_INVALID_ARGS, "from: negative");
    if (to < 0) throw CallError(SD_BUS_ERROR_INVALID_ARGS, "to: negative");
    if (from != 0 && to != 0 && from > to) {
        throw CallError(SD_BUS_ERROR_INVALID_ARGS, "from: later than to");
    }
    std::string what = "GetDeviceHistory";
    if (*serial != '\0') what += " of serial '" + std::string(serial) + "'";
    if (from != 0) what += " from " + std::to_string(from);
    if (to != 0) what += " to " + std::to_string(to);
    when_allowed(
        park(call), call, dbus::Right::read, what, OnRecord::yes,
        [this, serial = std::string(serial), from, to](std::uint64_t ticket, const dbus::Caller&) {
            answer_history(ticket, serial, from, to);
        });
    return 1;
}

void DbusServer::answer_history(std::uint64_t ticket, const std::string& serial, std::int64_t from,
                                std::int64_t to) {
    if (!serial.empty() && !catalog_->find_device(serial)) throw no_such_device(serial);
    std::vector<DeviceHistoryRow> history = catalog_->device_history(serial, from, to);
    std::size_t reply_bytes = 0;
    for (const auto& row : history) {
        reply_bytes += 32 + row.serial.size() + row.action.size() + row.custodian.size() +
                       row.officer.size() + row.head.size() + row.previous_custodian.size() +
                       row.previous_officer.size() + row.previous_head.size() +
                       row.changed_by.size() + row.reason.size();
    }
    if (reply_bytes > kMaxReplyBytes) {
        throw CallError(SD_BUS_ERROR_LIMITS_EXCEEDED,
                        std::to_string(history.size()) +
                            " history entries are too many for one reply: narrow the window");
    }
    answer(ticket, nullptr, [&history](sd_bus_message* reply) {
        int r = sd_bus_message_open_container(reply, 'a', kHistoryType);
        for (const auto& row : history) {
            if (r < 0) return r;
            r = sd_bus_message_append(
                reply, kHistoryType, static_cast<std::int64_t>(row.at), row.serial.c_str(),
                row.action.c_str(), row.custodian.c_str(), row.officer.c_str(), row.head.c_str(),
                row.previous_custodian.c_str(), row.previous_officer.c_str(),
                row.previous_head.c_str(), row.changed_by.c_str(), row.reason.c_str());
        }
        if (r < 0) return r;
        return sd_bus_message_close_container(reply);
    });
}

int DbusServer::rotate_signing_key(sd_bus_message* call) {
    const char* reason = nullptr;
    check(sd_bus_message_read(call, manager_api::RotateSigningKey::in, &reason), "arguments");
    when_allowed(
        park(call), call, dbus::Right::administer, "RotateSigningKey", OnRecord::no,
        [this, reason = std::string(reason)](std::uint64_t ticket, const dbus::Caller& caller) {
            require_valid("reason", reason.c_str(), dbus::Emptiness::refused,
                          dbus::kMaxReasonBytes);
            service_.rotate_signing_key(
                reason, caller.changed_by,
                [weak = weak_from_this(), ticket](std::exception_ptr failure) {
                    auto self = weak.lock();
                    if (!self) return;
                    self->guarded("key rotation", [&] {
                        const std::string fingerprint =
                            failure ? std::string() : self->service_.signing_key().fingerprint();
                        self->answer(ticket, failure, [&](sd_bus_message* reply) {
                            return sd_bus_message_append(reply, manager_api::RotateSigningKey::out,
                                                         fingerprint.c_str());
                        });
                    });
                });
        });
    return 1;
}

void DbusServer::change_register(std::uint64_t ticket, const std::string& serial,
                                 std::function<void(Catalog&)> change) {
    service_.catalog_work(std::move(change),
                          [weak = weak_from_this(), ticket, serial](std::exception_ptr failure) {
                              auto self = weak.lock();
                              if (!self) return;
                              self->guarded("register change", [&] {
                                  self->answer(ticket, failure, nullptr);
                                  if (!failure) self->device_changed(serial);
                              });
                          });
}

}  // namespace cradle::dbus_server
