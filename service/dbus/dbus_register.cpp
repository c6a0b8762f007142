// SPDX-License-Identifier: Apache-2.0
// The Manager's methods on the device register: RegisterDevice, AssignDevice and RetireDevice
// (org.cradled.register, each a change on the catalog's strand, then DeviceChanged); and
// RotateSigningKey (org.cradled.administer).
#include "service/dbus/dbus_server_internal.hpp"

#include "common/ed25519.hpp"

namespace cradle::dbus_server {
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
