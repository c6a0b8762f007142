// status, devices, recordings: views of the catalog, as text for people or JSON for scripts.
#include "core/catalog/catalog.hpp"
#include "core/catalog/state_verifier.hpp"
#include "cradlectl/catalog_rows.hpp"
#include "cradlectl/commands.hpp"
#include "cradlectl/text_output.hpp"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace cradle::ctl {

namespace {

Catalog open_catalog(const OfflineOptions& options) {
    return Catalog::open_read_only(options.state_dir / "catalog.sqlite");
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
    const std::vector<std::string> quarantined = quarantined_files(options.state_dir);

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
            .add("bytes_archived", bytes_archived)
            .add("quarantined_files", static_cast<std::uint64_t>(quarantined.size()));
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
                 {"quarantine", quarantined.empty()
                                    ? std::string("empty")
                                    : std::to_string(quarantined.size()) +
                                          " file(s) put aside by start-up recovery for a "
                                          "custodian (cradlectl verify lists them)"},
             });
    return kExitOk;
}

namespace {

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
    print_device(out, find_device(devices, options.serial), options.json);
    return kExitOk;
}

int show_devices(const OfflineOptions& options, std::ostream& out) {
    Catalog catalog = open_catalog(options);
    print_devices(out, catalog.devices(), options.json);
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
    std::vector<RecordingInfo> recordings;
    std::vector<RecordingKey> camera_keys;
    for (RecordingRow& row : filtered(catalog.recordings(), options.filter, devices)) {
        recordings.push_back(RecordingInfo{row.id, serial(row.key.device_id),
                                           sanitize_text(row.key.name), row.key.size,
                                           to_string(row.state), row.sha256_hex, row.archive_path,
                                           row.key.captured_unix_s, row.archived_at, row.wiped_at});
        camera_keys.push_back(std::move(row.key));
    }
    print_recordings(out, recordings, options.json, &camera_keys);
    return kExitOk;
}

}  // namespace cradle::ctl
