// SPDX-License-Identifier: Apache-2.0
// The Device objects (/org/cradled/Cradle1/device/SERIAL), one for each device the catalog
// knows: a fallback vtable and a node enumerator over the catalog, their properties, and the
// signals of a device's change (the Manager's DeviceChanged, ObjectAdded for a new device,
// PropertiesChanged otherwise).
#include "service/dbus/dbus_server_internal.hpp"

#include "core/catalog/report_queries.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace cradle::dbus_server {
namespace {

// The serial of a device object's path; nullopt for any other path. Only the path the server
// itself makes for a serial names it: a decoded text ends at an escaped NUL ("_00"), and an
// escape of a letter ("_41") decodes to the same serial as the letter, so the serial is
// encoded again and must give the path back, byte for byte.
std::optional<std::string> device_serial(const char* path) {
    char* raw = nullptr;
    int r = sd_bus_path_decode(path, dbus::kDevicePathPrefix, &raw);
    if (r <= 0 || raw == nullptr) return std::nullopt;
    std::string serial(raw);
    std::free(raw);
    if (serial.empty() || device_path(serial) != path) return std::nullopt;
    return serial;
}

// The Device properties that a change of the device's entry or a dock of it invalidates: those
// the XML marks "invalidates".
std::vector<char*> device_changing_properties() {
    std::vector<char*> names;
    for (const api::PropertyInfo& property : api::Device::properties) {
        if (std::string_view(property.emits_changed) == "invalidates") {
            names.push_back(const_cast<char*>(property.name));
        }
    }
    names.push_back(nullptr);
    return names;
}

int device_property_callback(sd_bus*, const char* path, const char*, const char* property,
                             sd_bus_message* reply, void* userdata, sd_bus_error* error) {
    try {
        return static_cast<DbusServer*>(userdata)->device_property(path, property, reply);
    } catch (...) {
        return error_from_current_exception(error);
    }
}

int find_device_callback(sd_bus*, const char* path, const char*, void* userdata, void** found,
                         sd_bus_error* error) {
    try {
        auto* server = static_cast<DbusServer*>(userdata);
        if (!server->device_exists(path)) return 0;
        *found = server;
        return 1;
    } catch (...) {
        return error_from_current_exception(error);
    }
}

int enumerate_devices_callback(sd_bus*, const char*, void* userdata, char*** nodes,
                               sd_bus_error* error) {
    try {
        std::vector<std::string> paths = static_cast<DbusServer*>(userdata)->device_paths();
        // sd-bus frees the list and its strings with free().
        auto** list = static_cast<char**>(std::calloc(paths.size() + 1, sizeof(char*)));
        if (list == nullptr) return -ENOMEM;
        for (std::size_t i = 0; i < paths.size(); ++i) {
            list[i] = ::strdup(paths[i].c_str());
            if (list[i] == nullptr) {
                for (std::size_t j = 0; j < i; ++j) std::free(list[j]);
                std::free(list);
                return -ENOMEM;
            }
        }
        *nodes = list;
        return 0;
    } catch (...) {
        return error_from_current_exception(error);
    }
}

const sd_bus_vtable kDeviceVtable[] = {
    SD_BUS_VTABLE_START(0),
    CRADLE_PROPERTY(device_api::Serial, device_property_callback),
    CRADLE_PROPERTY(device_api::Manufacturer, device_property_callback),
    CRADLE_PROPERTY(device_api::Model, device_property_callback),
    CRADLE_PROPERTY(device_api::Firmware, device_property_callback),
    CRADLE_PROPERTY(device_api::Registered, device_property_callback),
    CRADLE_PROPERTY(device_api::FirstSeen, device_property_callback),
    CRADLE_PROPERTY(device_api::LastSeen, device_property_callback),
    CRADLE_PROPERTY(device_api::LastOutcome, device_property_callback),
    CRADLE_PROPERTY(device_api::Retired, device_property_callback),
    CRADLE_PROPERTY(device_api::Readiness, device_property_callback),
    CRADLE_PROPERTY(device_api::ReadinessAt, device_property_callback),
    SD_BUS_VTABLE_END,
};

}  // namespace

int DbusServer::add_device_objects() {
    sd_bus_slot* slot = nullptr;
    int r = sd_bus_add_fallback_vtable(bus_.get(), &slot, dbus::kDevicePathPrefix,
                                       dbus::kDeviceInterface, kDeviceVtable, find_device_callback,
                                       this);
    if (r < 0) return r;
    slots_.emplace_back(slot);
    r = sd_bus_add_node_enumerator(bus_.get(), &slot, dbus::kDevicePathPrefix,
                                   enumerate_devices_callback, this);
    if (r >= 0) slots_.emplace_back(slot);
    return r;
}

bool DbusServer::device_exists(const char* path) {
    std::optional<std::string> serial = device_serial(path);
    return serial && catalog_->find_device(*serial).has_value();
}

std::vector<std::string> DbusServer::device_paths() {
    std::vector<std::string> paths;
    for (const auto& device : catalog_->devices()) paths.push_back(device_path(device.serial));
    return paths;
}

int DbusServer::device_property(const char* path, const char* property, sd_bus_message* reply) {
    std::optional<std::string> serial = device_serial(path);
    if (!serial) return -ENOENT;
    std::optional<DeviceRow> device = catalog_->find_device(*serial);
    if (!device) throw no_such_device(*serial);
    std::string_view name = property;
    if (name == device_api::Serial::name)
        return append_value<device_api::Serial>(reply, device->serial.c_str());
    if (name == device_api::Manufacturer::name) {
        return append_value<device_api::Manufacturer>(reply, device->manufacturer.c_str());
    }
    if (name == device_api::Model::name)
        return append_value<device_api::Model>(reply, device->model.c_str());
    if (name == device_api::Firmware::name)
        return append_value<device_api::Firmware>(reply, device->firmware.c_str());
    if (name == device_api::Registered::name) {
        return append_value<device_api::Registered>(reply, static_cast<int>(device->registered));
    }
    if (name == device_api::FirstSeen::name) {
        return append_value<device_api::FirstSeen>(reply,
                                                   static_cast<std::int64_t>(device->first_seen));
    }
    if (name == device_api::LastSeen::name) {
        return append_value<device_api::LastSeen>(reply,
                                                  static_cast<std::int64_t>(device->last_seen));
    }
    if (name == device_api::Retired::name) {
        return append_value<device_api::Retired>(reply, static_cast<int>(device->retired));
    }
    if (name == device_api::Readiness::name || name == device_api::ReadinessAt::name) {
        std::optional<reports::ReadinessFacts> readiness =
            read_device_readiness(*catalog_, device->serial);
        if (name == device_api::Readiness::name) {
            return append_value<device_api::Readiness>(reply,
                                                       readiness ? readiness->verdict.c_str() : "");
        }
        return append_value<device_api::ReadinessAt>(
            reply, static_cast<std::int64_t>(readiness ? readiness->at : 0));
    }
    if (name == device_api::LastOutcome::name) {
        auto outcome = last_outcomes_.find(device->serial);
        return append_value<device_api::LastOutcome>(
            reply, outcome == last_outcomes_.end() ? "" : outcome->second.c_str());
    }
    return -ENOENT;
}

void DbusServer::device_changed(const std::string& serial) {
    if (!serving()) return;
    using DeviceChanged = manager_api::DeviceChanged;
    sd_bus_emit_signal(bus_.get(), dbus::kRootPath, dbus::kManagerInterface, DeviceChanged::name,
                       DeviceChanged::signature, serial.c_str());
    std::string path = device_path(serial);
    if (known_devices_.insert(serial).second) {
        sd_bus_emit_object_added(bus_.get(), path.c_str());
    } else {
        static const std::vector<char*> names = device_changing_properties();
        sd_bus_emit_properties_changed_strv(bus_.get(), path.c_str(), dbus::kDeviceInterface,
                                            const_cast<char**>(names.data()));
    }
    loop_->wake();
}

}  // namespace cradle::dbus_server
