// The commands that ask the running daemon over D-Bus: the same views as the offline ones, with
// the same JSON field names, plus the live state of the bays and the register's changes.
#include "cradlectl/bay_line.hpp"
#include "cradlectl/bus_client.hpp"
#include "cradlectl/commands.hpp"
#include "cradlectl/text_output.hpp"

#include <string>
#include <vector>

namespace cradle::ctl {
namespace {

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

}  // namespace

int bus_status(const Invocation& invocation, std::ostream& out) {
    BusClient bus(invocation.bus_address);
    const ServiceInfo service = bus.service_info();
    const std::vector<BayInfo> bays = bus.list_bays();
    if (invocation.json) {
        std::vector<std::string> elements;
        for (const BayInfo& bay : bays) elements.push_back(bay_json(bay));
        JsonObject status;
        status.add("version", service.version)
            .add("state_dir", service.state_directory)
            .add("clock_synchronised", service.clock_synchronised)
            .add("bay_count", static_cast<std::uint64_t>(service.bay_count))
            .add_json("bays", json_array(elements));
        out << status.str() << '\n';
        return kExitOk;
    }
    print_fields(out,
                 {
                     {"cradled", service.version},
                     {"state directory", service.state_directory},
                     {"clock", service.clock_synchronised ? "synchronised" : "not synchronised"},
                     {"bays", std::to_string(service.bay_count)},
                 });
    out << '\n';
    for (const BayInfo& bay : bays) out << bay_line(bay) << '\n';
    return kExitOk;
}

namespace {

std::string device_json(const DeviceInfo& device) {
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

}  // namespace

int bus_devices(const Invocation& invocation, std::ostream& out) {
    BusClient bus(invocation.bus_address);
    const std::vector<DeviceInfo> devices = bus.list_devices();
    if (invocation.json) {
        std::vector<std::string> elements;
        for (const DeviceInfo& device : devices) elements.push_back(device_json(device));
        out << json_array(elements) << '\n';
        return kExitOk;
    }
    TextTable table({"SERIAL", "MODEL", "REGISTERED", "CUSTODIAN", "OFFICER", "HEAD", "LAST SEEN"});
    for (const DeviceInfo& device : devices) {
        table.add_row({device.serial, text_or_dash(device.model), device.registered ? "yes" : "no",
                       text_or_dash(device.custodian), text_or_dash(device.officer),
                       text_or_dash(device.head),
                       device.last_seen == 0 ? "never" : utc_iso8601(device.last_seen)});
    }
    table.print(out);
    return kExitOk;
}

int bus_device(const Invocation& invocation, std::ostream& out) {
    BusClient bus(invocation.bus_address);
    const std::string& serial = invocation.operands.at(0);
    const DeviceInfo device = bus.get_device(serial);
    std::string last_outcome;
    try {
        last_outcome = bus.device_last_outcome(serial);
    } catch (const BusClientError& error) {
        // The device's object is an addition to GetDevice; without it the entry is still whole.
        if (error.failure() == BusFailure::unreachable) throw;
    }
    if (invocation.json) {
        std::string object = device_json(device);
        object.pop_back();  // the closing brace: one more member follows
        object += std::string(", \"last_outcome\": ") +
                  (last_outcome.empty() ? "null" : json_string(last_outcome)) + "}";
        out << object << '\n';
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
                 {"last outcome", text_or_dash(last_outcome)},
             });
    return kExitOk;
}

int bus_recordings(const Invocation& invocation, std::ostream& out) {
    BusClient bus(invocation.bus_address);
    const RecordingFilter& filter = invocation.filter;
    const std::vector<RecordingInfo> recordings =
        bus.list_recordings(filter.serial, filter.captured_from, filter.captured_to, filter.limit);
    if (invocation.json) {
        std::vector<std::string> elements;
        for (const RecordingInfo& row : recordings) {
            JsonObject object;
            object.add("id", row.id)
                .add("device_serial", row.serial)
                .add("name", row.name)
                .add("size", row.size)
                .add("state", row.state);
            add_text_or_null(object, "sha256", row.sha256);
            add_text_or_null(object, "archive_path", row.archive_path);
            object.add("captured", utc_iso8601(row.captured));
            add_time(object, "archived", row.archived_at);
            add_time(object, "wiped", row.wiped_at);
            elements.push_back(object.str());
        }
        out << json_array(elements) << '\n';
        return kExitOk;
    }
    TextTable table({"ID", "DEVICE", "NAME", "SIZE", "STATE", "SHA256", "ARCHIVE PATH", "CAPTURED",
                     "ARCHIVED", "WIPED"});
    for (const RecordingInfo& row : recordings) {
        table.add_row({std::to_string(row.id), row.serial, text_or_dash(row.name),
                       std::to_string(row.size), row.state, text_or_dash(row.sha256),
                       text_or_dash(row.archive_path), utc_iso8601(row.captured),
                       time_or_dash(row.archived_at), time_or_dash(row.wiped_at)});
    }
    table.print(out);
    return kExitOk;
}

int bus_verify(const Invocation& invocation, std::ostream& out) {
    BusClient bus(invocation.bus_address);
    const RemoteVerifyReport report = bus.verify();
    // The daemon's word and its list agree by contract; a list with entries is never "ok".
    const bool ok = report.ok && report.problems.empty();
    if (invocation.json) {
        std::vector<std::string> problems;
        for (const std::string& problem : report.problems) problems.push_back(json_string(problem));
        JsonObject object;
        object.add("ok", ok)
            .add("files_checked", report.files_checked)
            .add_json("problems", json_array(problems));
        out << object.str() << '\n';
    } else {
        for (const std::string& problem : report.problems) out << printable(problem) << '\n';
        const std::string counts = std::to_string(report.files_checked) + " archive files checked";
        if (ok) {
            out << "verify: ok (" << counts << ")\n";
        } else {
            out << "verify: " << report.problems.size()
                << (report.problems.size() == 1 ? " problem (" : " problems (") << counts << ")\n";
        }
    }
    return ok ? kExitOk : kExitProblems;
}

int bus_register(const Invocation& invocation, std::ostream& out) {
    BusClient bus(invocation.bus_address);
    const std::string& serial = invocation.operands.at(0);
    bus.register_device(serial, *invocation.custodian, *invocation.officer, *invocation.head);
    out << "registered " << printable(serial) << ": custodian " << printable(*invocation.custodian)
        << ", officer " << printable(*invocation.officer) << ", head "
        << printable(*invocation.head) << '\n';
    return kExitOk;
}

int bus_assign(const Invocation& invocation, std::ostream& out) {
    BusClient bus(invocation.bus_address);
    const std::string& serial = invocation.operands.at(0);
    const std::string& officer = invocation.operands.at(1);
    bus.assign_device(serial, officer);
    out << "assigned " << printable(serial) << " to " << printable(officer) << '\n';
    return kExitOk;
}

}  // namespace cradle::ctl
