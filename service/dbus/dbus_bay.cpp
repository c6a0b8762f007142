// SPDX-License-Identifier: Apache-2.0
// The Bay objects (/org/cradled/Cradle1/bay/N): their vtable, their properties read from the
// status board, and the signals of a bay's change (PropertiesChanged, and the Manager's
// BayChanged when the phase or the light changed).
#include "service/dbus/dbus_server_internal.hpp"

namespace cradle::dbus_server {
namespace {

int bay_property_callback(sd_bus*, const char*, const char*, const char* property,
                          sd_bus_message* reply, void* userdata, sd_bus_error* error) {
    try {
        auto* object = static_cast<BayObject*>(userdata);
        return object->server->bay_property(object->bay, property, reply);
    } catch (...) {
        return error_from_current_exception(error);
    }
}

const sd_bus_vtable kBayVtable[] = {
    SD_BUS_VTABLE_START(0),
    CRADLE_PROPERTY(bay_api::Number, bay_property_callback),
    CRADLE_PROPERTY(bay_api::Phase, bay_property_callback),
    CRADLE_PROPERTY(bay_api::Light, bay_property_callback),
    CRADLE_PROPERTY(bay_api::DeviceSerial, bay_property_callback),
    CRADLE_PROPERTY(bay_api::DeviceModel, bay_property_callback),
    CRADLE_PROPERTY(bay_api::Outcome, bay_property_callback),
    CRADLE_PROPERTY(bay_api::DockedSince, bay_property_callback),
    CRADLE_PROPERTY(bay_api::RecordingsTotal, bay_property_callback),
    CRADLE_PROPERTY(bay_api::RecordingsDone, bay_property_callback),
    CRADLE_PROPERTY(bay_api::BytesTotal, bay_property_callback),
    CRADLE_PROPERTY(bay_api::BytesDone, bay_property_callback),
    CRADLE_PROPERTY(bay_api::Rate, bay_property_callback),
    CRADLE_PROPERTY(bay_api::EtaSeconds, bay_property_callback),
    SD_BUS_VTABLE_END,
};

}  // namespace

int DbusServer::add_bay_object(int bay) {
    bay_objects_.push_back(BayObject{this, bay});
    const std::string path = bay_path(bay);
    sd_bus_slot* slot = nullptr;
    const int r = sd_bus_add_object_vtable(bus_.get(), &slot, path.c_str(), dbus::kBayInterface,
                                           kBayVtable, &bay_objects_.back());
    if (r >= 0) slots_.emplace_back(slot);
    return r;
}

int DbusServer::bay_property(int bay_number, const char* property, sd_bus_message* reply) {
    std::string_view name = property;
    if (name == bay_api::Number::name) {
        return append_value<bay_api::Number>(reply, static_cast<std::uint32_t>(bay_number));
    }
    BayStatus bay = service_.status().get(bay_number);
    if (name == bay_api::Phase::name)
        return append_value<bay_api::Phase>(reply, to_string(bay.phase));
    if (name == bay_api::Light::name)
        return append_value<bay_api::Light>(reply, light_name(bay.light));
    if (name == bay_api::DeviceSerial::name)
        return append_value<bay_api::DeviceSerial>(reply, bay.serial.c_str());
    if (name == bay_api::DeviceModel::name)
        return append_value<bay_api::DeviceModel>(reply, bay.model.c_str());
    if (name == bay_api::Outcome::name)
        return append_value<bay_api::Outcome>(reply, bay.outcome.c_str());
    if (name == bay_api::DockedSince::name) {
        return append_value<bay_api::DockedSince>(reply,
                                                  static_cast<std::int64_t>(bay.docked_since));
    }
    if (name == bay_api::RecordingsTotal::name) {
        return append_value<bay_api::RecordingsTotal>(
            reply, static_cast<std::uint32_t>(bay.recordings_total));
    }
    if (name == bay_api::RecordingsDone::name) {
        return append_value<bay_api::RecordingsDone>(
            reply, static_cast<std::uint32_t>(bay.recordings_done));
    }
    if (name == bay_api::BytesTotal::name) {
        return append_value<bay_api::BytesTotal>(reply,
                                                 static_cast<std::uint64_t>(bay.bytes_total));
    }
    if (name == bay_api::BytesDone::name) {
        return append_value<bay_api::BytesDone>(reply, static_cast<std::uint64_t>(bay.bytes_done));
    }
    if (name == bay_api::Rate::name) {
        return append_value<bay_api::Rate>(reply, static_cast<double>(bay.rate_bytes_per_s));
    }
    if (name == bay_api::EtaSeconds::name) {
        return append_value<bay_api::EtaSeconds>(reply, static_cast<std::int64_t>(bay.eta_s));
    }
    return -ENOENT;
}

void DbusServer::bay_changed(const BayStatus& status) {
    if (!serving() || status.bay < 1 || status.bay > static_cast<int>(last_bays_.size())) return;
    BayStatus& last = last_bays_[static_cast<std::size_t>(status.bay - 1)];
    const bool phase_or_light = last.phase != status.phase || last.light != status.light;
    // A docked camera whose verdict changes after its dock ended (a charging camera that
    // reached the battery threshold) has a new readiness in the catalog.
    const bool verdict_changed = last.phase == BayPhase::done && status.phase == BayPhase::done &&
                                 last.outcome != status.outcome && !status.serial.empty();
    // A camera identified in a bay is "docked: being checked" until its dock gives a verdict.
    const bool identified = !status.serial.empty() && last.serial != status.serial;
    std::vector<char*> changed;
    auto note = [&changed](bool differs, const char* name) {
        if (differs) changed.push_back(const_cast<char*>(name));
    };
    note(last.phase != status.phase, bay_api::Phase::name);
    note(last.light != status.light, bay_api::Light::name);
    note(last.serial != status.serial, bay_api::DeviceSerial::name);
    note(last.model != status.model, bay_api::DeviceModel::name);
    note(last.outcome != status.outcome, bay_api::Outcome::name);
    note(last.docked_since != status.docked_since, bay_api::DockedSince::name);
    note(last.recordings_total != status.recordings_total, bay_api::RecordingsTotal::name);
    note(last.recordings_done != status.recordings_done, bay_api::RecordingsDone::name);
    note(last.bytes_total != status.bytes_total, bay_api::BytesTotal::name);
    note(last.bytes_done != status.bytes_done, bay_api::BytesDone::name);
    note(last.rate_bytes_per_s != status.rate_bytes_per_s, bay_api::Rate::name);
    note(last.eta_s != status.eta_s, bay_api::EtaSeconds::name);
    last = status;
    if (!changed.empty()) {
        changed.push_back(nullptr);
        std::string path = bay_path(status.bay);
        sd_bus_emit_properties_changed_strv(bus_.get(), path.c_str(), dbus::kBayInterface,
                                            changed.data());
    }
    if (phase_or_light) {
        using BayChanged = manager_api::BayChanged;
        sd_bus_emit_signal(bus_.get(), dbus::kRootPath, dbus::kManagerInterface, BayChanged::name,
                           BayChanged::signature, static_cast<std::uint32_t>(status.bay),
                           to_string(status.phase), light_name(status.light));
    }
    if (verdict_changed || identified) device_changed(status.serial);
    loop_->wake();
}

}  // namespace cradle::dbus_server
