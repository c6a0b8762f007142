// SPDX-License-Identifier: Apache-2.0
#include "cradlectl/catalog_rows.hpp"

#include "cradlectl/text_output.hpp"

#include <map>

namespace cradle::ctl {
namespace {

std::string never_or_time(std::int64_t unix_s) {
    return unix_s == 0 ? "never" : utc_iso8601(unix_s);
}

JsonObject device_json(const DeviceRow& device) {
    JsonObject object;
    object.add("serial", device.serial)
        .add("manufacturer", device.manufacturer)
        .add("model", device.model)
        .add("firmware", device.firmware)
        .add("registered", device.registered);
    add_text_or_null(object, "custodian", device.custodian);
    add_text_or_null(object, "officer", device.officer);
    add_text_or_null(object, "head", device.head);
    add_time(object, "first_seen", device.first_seen);
    add_time(object, "last_seen", device.last_seen);
    object.add("retired", device.retired);
    add_time(object, "retired_at", device.retired_at);
    return object;
}

JsonObject recording_json(const RecordingInfo& row, const RecordingKey* camera_key) {
    JsonObject object;
    object.add("id", row.id).add("device_serial", row.serial);
    if (camera_key != nullptr) object.add("handle", static_cast<std::int64_t>(camera_key->handle));
    object.add("name", row.name);
    if (camera_key != nullptr) object.add("name_hex", hex_bytes(camera_key->name));
    object.add("size", row.size).add("state", row.state);
    add_text_or_null(object, "sha256", row.sha256);
    add_text_or_null(object, "archive_path", row.archive_path);
    object.add("captured", utc_iso8601(row.captured));
    add_time(object, "archived", row.archived_at);
    add_time(object, "wiped", row.wiped_at);
    return object;
}

}  // namespace

void add_retirement(std::vector<DeviceRow>& devices, const std::vector<DeviceHistoryRow>& history) {
    std::map<std::string, const DeviceHistoryRow*> last;
    for (const DeviceHistoryRow& row : history) {
        if (row.action == "retired" || row.action == "reinstated" || row.action == "registered") {
            last[row.serial] = &row;
        }
    }
    for (DeviceRow& device : devices) {
        auto found = last.find(device.serial);
        if (found != last.end() && found->second->action == "retired") {
            device.retired = true;
            device.retired_at = found->second->at;
        }
    }
}

void print_devices(std::ostream& out, const std::vector<DeviceRow>& devices, bool json) {
    if (json) {
        std::vector<std::string> elements;
        for (const DeviceRow& device : devices) elements.push_back(device_json(device).str());
        out << json_array(elements) << '\n';
        return;
    }
    TextTable table({"SERIAL", "MODEL", "REGISTERED", "CUSTODIAN", "OFFICER", "HEAD", "LAST SEEN"});
    for (const DeviceRow& device : devices) {
        const char* registered = device.retired ? "retired" : device.registered ? "yes" : "no";
        table.add_row({device.serial, text_or_dash(device.model), registered,
                       text_or_dash(device.custodian), text_or_dash(device.officer),
                       text_or_dash(device.head), never_or_time(device.last_seen)});
    }
    table.print(out);
}

void print_device(std::ostream& out, const DeviceRow& device, bool json,
                  const std::optional<std::string>& last_outcome) {
    if (json) {
        JsonObject object = device_json(device);
        if (last_outcome) add_text_or_null(object, "last_outcome", *last_outcome);
        out << object.str() << '\n';
        return;
    }
    std::vector<std::pair<std::string, std::string>> fields = {
        {"serial", device.serial},
        {"manufacturer", text_or_dash(device.manufacturer)},
        {"model", text_or_dash(device.model)},
        {"firmware", text_or_dash(device.firmware)},
        {"registered", device.registered ? "yes" : "no"},
        {"custodian", text_or_dash(device.custodian)},
        {"officer", text_or_dash(device.officer)},
        {"head", text_or_dash(device.head)},
        {"first seen", never_or_time(device.first_seen)},
        {"last seen", never_or_time(device.last_seen)},
    };
    if (last_outcome) fields.emplace_back("last outcome", text_or_dash(*last_outcome));
    print_fields(out, fields);
}

void print_recordings(std::ostream& out, const std::vector<RecordingInfo>& recordings, bool json,
                      const std::vector<RecordingKey>* camera_keys) {
    if (json) {
        std::vector<std::string> elements;
        for (std::size_t i = 0; i < recordings.size(); ++i) {
            const RecordingKey* camera_key = camera_keys != nullptr ? &camera_keys->at(i) : nullptr;
            elements.push_back(recording_json(recordings[i], camera_key).str());
        }
        out << json_array(elements) << '\n';
        return;
    }
    TextTable table({"ID", "DEVICE", "NAME", "SIZE", "STATE", "SHA256", "ARCHIVE PATH", "CAPTURED",
                     "ARCHIVED", "WIPED"});
    std::size_t withheld = 0;
    for (const RecordingInfo& row : recordings) {
        if (is_withheld(row)) {
            ++withheld;
            continue;
        }
        table.add_row({std::to_string(row.id), row.serial, text_or_dash(row.name),
                       std::to_string(row.size), row.state, text_or_dash(row.sha256),
                       text_or_dash(row.archive_path), utc_iso8601(row.captured),
                       time_or_dash(row.archived_at), time_or_dash(row.wiped_at)});
    }
    table.print(out);
    if (withheld != 0) {
        out << withheld << (withheld == 1 ? " confidential recording" : " confidential recordings")
            << " withheld: the facts need org.cradled.read-confidential, over the bus\n";
    }
}

RecordingInfo withheld_recording() {
    RecordingInfo row;
    row.state = "confidential";
    return row;
}

bool is_withheld(const RecordingInfo& row) {
    return row.state == "confidential" && row.id == 0;
}

}  // namespace cradle::ctl
