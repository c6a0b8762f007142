// status, devices, recordings: views of the catalog, as text for people or JSON for scripts.
#include "cradlectl/commands.hpp"
#include "cradlectl/text_output.hpp"
#include "daemon/catalog.hpp"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace cradle::ctl {

namespace {

Catalog open_catalog(const OfflineOptions& options) {
    return Catalog::open_read_only(options.state_dir / "catalog.sqlite");
}

// Times of 0 mean "never" in the catalog.
std::string time_or_dash(std::int64_t unix_s) {
    return unix_s == 0 ? "-" : utc_iso8601(unix_s);
}
std::string text_or_dash(const std::string& text) {
    return text.empty() ? "-" : text;
}

void add_time(JsonObject& object, std::string_view key, std::int64_t unix_s) {
    if (unix_s == 0) {
        object.add_null(key);
    } else {
        object.add(key, utc_iso8601(unix_s));
    }
}

void add_text_or_null(JsonObject& object, std::string_view key, const std::string& text) {
    if (text.empty()) {
        object.add_null(key);
    } else {
        object.add(key, text);
    }
}

std::string audit_summary(const AuditRow& row) {
    std::string text = "#" + std::to_string(row.seq) + " " + utc_iso8601(row.at) + " " + row.event;
    if (row.bay != 0) text += ", bay " + std::to_string(row.bay);
    if (!row.device_serial.empty()) text += ", device " + row.device_serial;
    if (row.recording_id != 0) text += ", recording " + std::to_string(row.recording_id);
    return text;
}

}  // namespace

int show_status(const OfflineOptions& options, std::ostream& out) {
    Catalog catalog = open_catalog(options);
    std::vector<DeviceRow> devices = catalog.devices();
    std::vector<RecordingRow> recordings = catalog.recordings();
    std::vector<DockSessionRow> docks = catalog.dock_sessions();
    std::vector<AuditRow> audit = catalog.audit_rows();

    std::size_t registered = 0;
    for (const DeviceRow& device : devices) registered += device.registered ? 1 : 0;
    std::map<RecordingState, std::size_t> by_state = {
        {RecordingState::copying, 0}, {RecordingState::archived, 0}, {RecordingState::wiped, 0}};
    std::uint64_t bytes_archived = 0;
    for (const RecordingRow& row : recordings) {
        ++by_state[row.state];
        if (row.state != RecordingState::copying) bytes_archived += row.key.size;
    }
    std::size_t open_docks = 0;
    for (const DockSessionRow& dock : docks) open_docks += dock.ended_at == 0 ? 1 : 0;

    if (options.json) {
        JsonObject counts;
        for (const auto& [state, count] : by_state) {
            counts.add(to_string(state), static_cast<std::uint64_t>(count));
        }
        counts.add("total", static_cast<std::uint64_t>(recordings.size()));
        JsonObject status;
        status.add("state_dir", options.state_dir.string())
            .add("schema_version", catalog.schema_version())
            .add("devices", static_cast<std::uint64_t>(devices.size()))
            .add("registered_devices", static_cast<std::uint64_t>(registered))
            .add_json("recordings", counts.str())
            .add("open_dock_sessions", static_cast<std::uint64_t>(open_docks))
            .add("bytes_archived", bytes_archived);
        if (audit.empty()) {
            status.add_null("last_audit");
        } else {
            const AuditRow& last = audit.back();
            JsonObject entry;
            entry.add("seq", last.seq)
                .add("at", utc_iso8601(last.at))
                .add("event", last.event)
                .add("bay", last.bay)
                .add("device_serial", last.device_serial)
                .add("recording_id", last.recording_id)
                .add("detail", last.detail);
            status.add_json("last_audit", entry.str());
        }
        out << status.str() << '\n';
        return kExitOk;
    }

    std::string states = std::to_string(recordings.size());
    std::string separator = ": ";
    for (const auto& [state, count] : by_state) {
        states += separator + std::to_string(count) + " " + to_string(state);
        separator = ", ";
    }
    print_fields(
        out, {
                 {"state directory", options.state_dir.string()},
                 {"schema version", std::to_string(catalog.schema_version())},
                 {"devices", std::to_string(devices.size()) + " (" + std::to_string(registered) +
                                 " registered)"},
                 {"recordings", states},
                 {"open dock sessions", std::to_string(open_docks)},
                 {"bytes archived",
                  std::to_string(bytes_archived) + " (" + human_bytes(bytes_archived) + ")"},
                 {"last audit entry", audit.empty() ? "none" : audit_summary(audit.back())},
             });
    return kExitOk;
}

namespace {

std::string device_json(const DeviceRow& device) {
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
    return object.str();
}

const DeviceRow& find_device(const std::vector<DeviceRow>& devices, const std::string& serial) {
    for (const DeviceRow& device : devices) {
        if (device.serial == serial) return device;
    }
    throw NoSuchDevice("no device " + printable(serial) + " in the catalog");
}

// The recordings the filter asks for, in catalog order; with a limit, the newest captures.
std::vector<RecordingRow> filtered(std::vector<RecordingRow> recordings,
                                   const RecordingFilter& filter,
                                   const std::vector<DeviceRow>& devices) {
    std::int64_t device_id = 0;
    if (!filter.serial.empty()) device_id = find_device(devices, filter.serial).id;
    std::erase_if(recordings, [&](const RecordingRow& row) {
        return (device_id != 0 && row.key.device_id != device_id) ||
               (filter.captured_from != 0 && row.key.captured_unix_s < filter.captured_from) ||
               (filter.captured_to != 0 && row.key.captured_unix_s > filter.captured_to);
    });
    if (filter.limit != 0 && recordings.size() > filter.limit) {
        std::stable_sort(recordings.begin(), recordings.end(), [](const auto& a, const auto& b) {
            return a.key.captured_unix_s < b.key.captured_unix_s;
        });
        recordings.erase(recordings.begin(),
                         recordings.end() - static_cast<std::ptrdiff_t>(filter.limit));
        std::sort(recordings.begin(), recordings.end(),
                  [](const auto& a, const auto& b) { return a.id < b.id; });
    }
    return recordings;
}

}  // namespace

int show_device(const OfflineOptions& options, std::ostream& out) {
    Catalog catalog = open_catalog(options);
    const std::vector<DeviceRow> devices = catalog.devices();
    const DeviceRow& device = find_device(devices, options.serial);
    if (options.json) {
        out << device_json(device) << '\n';
        return kExitOk;
    }
    print_fields(
        out, {
                 {"serial", device.serial},
                 {"manufacturer", text_or_dash(device.manufacturer)},
                 {"model", text_or_dash(device.model)},
                 {"firmware", text_or_dash(device.firmware)},
                 {"registered", device.registered ? "yes" : "no"},
                 {"custodian", text_or_dash(device.custodian)},
                 {"officer", text_or_dash(device.officer)},
                 {"head", text_or_dash(device.head)},
                 {"first seen", device.first_seen == 0 ? "never" : utc_iso8601(device.first_seen)},
                 {"last seen", device.last_seen == 0 ? "never" : utc_iso8601(device.last_seen)},
             });
    return kExitOk;
}

int show_devices(const OfflineOptions& options, std::ostream& out) {
    Catalog catalog = open_catalog(options);
    std::vector<DeviceRow> devices = catalog.devices();
    if (options.json) {
        std::vector<std::string> elements;
        for (const DeviceRow& device : devices) elements.push_back(device_json(device));
        out << json_array(elements) << '\n';
        return kExitOk;
    }
    TextTable table({"SERIAL", "MODEL", "REGISTERED", "CUSTODIAN", "OFFICER", "HEAD", "LAST SEEN"});
    for (const DeviceRow& device : devices) {
        table.add_row({device.serial, text_or_dash(device.model), device.registered ? "yes" : "no",
                       text_or_dash(device.custodian), text_or_dash(device.officer),
                       text_or_dash(device.head),
                       device.last_seen == 0 ? "never" : utc_iso8601(device.last_seen)});
    }
    table.print(out);
    return kExitOk;
}

int show_recordings(const OfflineOptions& options, std::ostream& out) {
    Catalog catalog = open_catalog(options);
    const std::vector<DeviceRow> devices = catalog.devices();
    std::map<std::int64_t, std::string> serial_of;
    for (const DeviceRow& device : devices) serial_of[device.id] = device.serial;
    auto serial = [&](std::int64_t device_id) {
        auto found = serial_of.find(device_id);
        return found != serial_of.end() ? found->second : "#" + std::to_string(device_id);
    };
    std::vector<RecordingRow> recordings = filtered(catalog.recordings(), options.filter, devices);

    if (options.json) {
        std::vector<std::string> elements;
        for (const RecordingRow& row : recordings) {
            JsonObject object;
            object.add("id", row.id)
                .add("device_serial", serial(row.key.device_id))
                .add("handle", static_cast<std::int64_t>(row.key.handle))
                .add("name", sanitize_text(row.key.name))
                .add("name_hex", hex_bytes(row.key.name))
                .add("size", row.key.size)
                .add("state", to_string(row.state));
            add_text_or_null(object, "sha256", row.sha256_hex);
            add_text_or_null(object, "archive_path", row.archive_path);
            object.add("captured", utc_iso8601(row.key.captured_unix_s));
            add_time(object, "archived", row.archived_at);
            add_time(object, "wiped", row.wiped_at);
            elements.push_back(object.str());
        }
        out << json_array(elements) << '\n';
        return kExitOk;
    }
    TextTable table({"ID", "DEVICE", "NAME", "SIZE", "STATE", "SHA256", "ARCHIVE PATH", "CAPTURED",
                     "ARCHIVED", "WIPED"});
    for (const RecordingRow& row : recordings) {
        table.add_row({std::to_string(row.id), serial(row.key.device_id),
                       text_or_dash(sanitize_text(row.key.name)), std::to_string(row.key.size),
                       to_string(row.state), text_or_dash(row.sha256_hex),
                       text_or_dash(row.archive_path), utc_iso8601(row.key.captured_unix_s),
                       time_or_dash(row.archived_at), time_or_dash(row.wiped_at)});
    }
    table.print(out);
    return kExitOk;
}

}  // namespace cradle::ctl
