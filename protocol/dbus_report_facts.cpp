// SPDX-License-Identifier: Apache-2.0
// The report facts as D-Bus values: see dbus_report_facts.hpp.
#include "protocol/dbus_report_facts.hpp"

namespace cradle::dbus {

// Where the XML says an array holds the same fields as another, the same code reads and writes
// both; these say so.
static_assert(same_signature(kDockFactsType, element_of(facts::DockDay::arg::docks)));
static_assert(same_signature(kRecordingFactsType, element_of(facts::DockDay::arg::recordings)));
static_assert(same_signature(kDeviceFactsType, element_of(facts::DockDay::arg::devices)));
static_assert(same_signature(kOfficerFactsType, element_of(facts::DockDay::arg::officers)));
static_assert(same_signature(
    kChangeFactsType, element_of(protocol::cradle1::Manager::GetDeviceHistory::arg::history)));
static_assert(same_signature(
    kOfficerFactsType, element_of(protocol::cradle1::Manager::ImportOfficers::arg::officers)));

namespace {

std::string text(const char* value) {
    return value != nullptr ? value : "";
}

// Each fact's element type, by its C++ type (given beside each fact's codec below): one array
// of facts is appended and read by the same two functions, whatever it holds.
// Only the facts below have one: an array of anything else does not compile.
template <class Item>
struct ElementType;

template <>
struct ElementType<reports::DeviceFacts> {
    static constexpr const char* value = kDeviceFactsType;
};
int append_one(sd_bus_message* m, const reports::DeviceFacts& d) {
    return sd_bus_message_append(
        m, kDeviceFactsType, d.serial.c_str(), d.model.c_str(), d.firmware.c_str(),
        static_cast<int>(d.registered), static_cast<int>(d.retired),
        static_cast<std::int64_t>(d.retired_at), d.custodian.c_str(), d.officer.c_str(),
        d.head.c_str(), static_cast<std::int64_t>(d.first_seen),
        static_cast<std::int64_t>(d.last_seen), static_cast<std::int64_t>(d.last_offload));
}

int read_one(sd_bus_message* m, reports::DeviceFacts& d) {
    const char *serial = nullptr, *model = nullptr, *firmware = nullptr, *custodian = nullptr,
               *officer = nullptr, *head = nullptr;
    int registered = 0, retired = 0;
    std::int64_t retired_at = 0, first_seen = 0, last_seen = 0, last_offload = 0;
    int r = sd_bus_message_read(m, kDeviceFactsType, &serial, &model, &firmware, &registered,
                                &retired, &retired_at, &custodian, &officer, &head, &first_seen,
                                &last_seen, &last_offload);
    if (r <= 0) return r;
    d.serial = text(serial);
    d.model = text(model);
    d.firmware = text(firmware);
    d.registered = registered != 0;
    d.retired = retired != 0;
    d.retired_at = retired_at;
    d.custodian = text(custodian);
    d.officer = text(officer);
    d.head = text(head);
    d.first_seen = first_seen;
    d.last_seen = last_seen;
    d.last_offload = last_offload;
    return r;
}

template <>
struct ElementType<reports::DockFacts> {
    static constexpr const char* value = kDockFactsType;
};
int append_one(sd_bus_message* m, const reports::DockFacts& d) {
    return sd_bus_message_append(
        m, kDockFactsType, static_cast<std::int64_t>(d.dock_id), d.serial.c_str(),
        static_cast<std::uint32_t>(d.bay < 0 ? 0 : d.bay), static_cast<std::int64_t>(d.started_at),
        static_cast<std::int64_t>(d.ended_at), d.outcome.c_str(),
        static_cast<int>(d.health_checked), static_cast<std::int32_t>(d.battery_percent),
        static_cast<int>(d.charging), d.faults.c_str(),
        static_cast<std::uint64_t>(d.storage_free_bytes), static_cast<int>(d.clock_measured),
        static_cast<std::int64_t>(d.clock_drift_ms), static_cast<int>(d.clock_corrected),
        d.clock_note.c_str(), static_cast<std::uint64_t>(d.recordings_archived),
        static_cast<std::uint64_t>(d.bytes_archived),
        static_cast<std::uint64_t>(d.recordings_wiped));
}

int read_one(sd_bus_message* m, reports::DockFacts& d) {
    const char *serial = nullptr, *outcome = nullptr, *faults = nullptr, *clock_note = nullptr;
    std::int64_t dock_id = 0, started_at = 0, ended_at = 0, clock_drift_ms = 0;
    std::uint32_t bay = 0;
    std::int32_t battery = 0;
    int health_checked = 0, charging = 0, clock_measured = 0, clock_corrected = 0;
    std::uint64_t storage_free = 0, archived = 0, bytes = 0, wiped = 0;
    int r = sd_bus_message_read(m, kDockFactsType, &dock_id, &serial, &bay, &started_at, &ended_at,
                                &outcome, &health_checked, &battery, &charging, &faults,
                                &storage_free, &clock_measured, &clock_drift_ms, &clock_corrected,
                                &clock_note, &archived, &bytes, &wiped);
    if (r <= 0) return r;
    d.dock_id = dock_id;
    d.serial = text(serial);
    d.bay = static_cast<int>(bay);
    d.started_at = started_at;
    d.ended_at = ended_at;
    d.outcome = text(outcome);
    d.health_checked = health_checked != 0;
    d.battery_percent = battery;
    d.charging = charging != 0;
    d.faults = text(faults);
    d.storage_free_bytes = storage_free;
    d.clock_measured = clock_measured != 0;
    d.clock_drift_ms = clock_drift_ms;
    d.clock_corrected = clock_corrected != 0;
    d.clock_note = text(clock_note);
    d.recordings_archived = archived;
    d.bytes_archived = bytes;
    d.recordings_wiped = wiped;
    return r;
}

template <>
struct ElementType<reports::ReadinessFacts> {
    static constexpr const char* value = kReadinessFactsType;
};
int append_one(sd_bus_message* m, const reports::ReadinessFacts& f) {
    return sd_bus_message_append(m, kReadinessFactsType, f.serial.c_str(),
                                 static_cast<std::int64_t>(f.at), static_cast<int>(f.ready),
                                 f.verdict.c_str());
}

int read_one(sd_bus_message* m, reports::ReadinessFacts& f) {
    const char *serial = nullptr, *verdict = nullptr;
    std::int64_t at = 0;
    int ready = 0;
    int r = sd_bus_message_read(m, kReadinessFactsType, &serial, &at, &ready, &verdict);
    if (r <= 0) return r;
    f.serial = text(serial);
    f.at = at;
    f.ready = ready != 0;
    f.verdict = text(verdict);
    return r;
}

template <>
struct ElementType<reports::RecordingFacts> {
    static constexpr const char* value = kRecordingFactsType;
};
int append_one(sd_bus_message* m, const reports::RecordingFacts& f) {
    return sd_bus_message_append(
        m, kRecordingFactsType, static_cast<std::int64_t>(f.id), f.serial.c_str(), f.name.c_str(),
        static_cast<std::uint64_t>(f.size), static_cast<std::int64_t>(f.captured_at),
        static_cast<std::int64_t>(f.archived_at), static_cast<std::int64_t>(f.wiped_at),
        f.officer.c_str(), f.camera_officer_id.c_str(), static_cast<int>(f.attribution_disagrees));
}

int read_one(sd_bus_message* m, reports::RecordingFacts& f) {
    const char *serial = nullptr, *name = nullptr, *officer = nullptr, *camera_officer = nullptr;
    std::int64_t id = 0, captured = 0, archived = 0, wiped = 0;
    std::uint64_t size = 0;
    int disagrees = 0;
    int r = sd_bus_message_read(m, kRecordingFactsType, &id, &serial, &name, &size, &captured,
                                &archived, &wiped, &officer, &camera_officer, &disagrees);
    if (r <= 0) return r;
    f.id = id;
    f.serial = text(serial);
    f.name = text(name);
    f.size = size;
    f.captured_at = captured;
    f.archived_at = archived;
    f.wiped_at = wiped;
    f.officer = text(officer);
    f.camera_officer_id = text(camera_officer);
    f.attribution_disagrees = disagrees != 0;
    return r;
}

template <>
struct ElementType<reports::ChangeFacts> {
    static constexpr const char* value = kChangeFactsType;
};
int append_one(sd_bus_message* m, const reports::ChangeFacts& c) {
    return sd_bus_message_append(m, kChangeFactsType, static_cast<std::int64_t>(c.at),
                                 c.serial.c_str(), c.action.c_str(), c.custodian.c_str(),
                                 c.officer.c_str(), c.head.c_str(), c.previous_custodian.c_str(),
                                 c.previous_officer.c_str(), c.previous_head.c_str(),
                                 c.changed_by.c_str(), c.reason.c_str());
}

int read_one(sd_bus_message* m, reports::ChangeFacts& c) {
    std::int64_t at = 0;
    const char* fields[10] = {};
    int r = sd_bus_message_read(m, kChangeFactsType, &at, &fields[0], &fields[1], &fields[2],
                                &fields[3], &fields[4], &fields[5], &fields[6], &fields[7],
                                &fields[8], &fields[9]);
    if (r <= 0) return r;
    c.at = at;
    std::string* targets[10] = {&c.serial,
                                &c.action,
                                &c.custodian,
                                &c.officer,
                                &c.head,
                                &c.previous_custodian,
                                &c.previous_officer,
                                &c.previous_head,
                                &c.changed_by,
                                &c.reason};
    for (int i = 0; i < 10; ++i) *targets[i] = text(fields[i]);
    return r;
}

template <>
struct ElementType<reports::OfficerFacts> {
    static constexpr const char* value = kOfficerFactsType;
};
int append_one(sd_bus_message* m, const reports::OfficerFacts& o) {
    return sd_bus_message_append(m, kOfficerFactsType, o.badge.c_str(), o.name.c_str(),
                                 o.team.c_str());
}

int read_one(sd_bus_message* m, reports::OfficerFacts& o) {
    const char *badge = nullptr, *name = nullptr, *team = nullptr;
    int r = sd_bus_message_read(m, kOfficerFactsType, &badge, &name, &team);
    if (r <= 0) return r;
    o.badge = text(badge);
    o.name = text(name);
    o.team = text(team);
    return r;
}

// Appends `items` as an array of their element type, each through its append_one.
template <class Item>
int append_array(sd_bus_message* message, const std::vector<Item>& items) {
    int r = sd_bus_message_open_container(message, 'a', ElementType<Item>::value);
    for (const Item& item : items) {
        if (r < 0) return r;
        r = append_one(message, item);
    }
    if (r < 0) return r;
    return sd_bus_message_close_container(message);
}

// Reads an array of the element type into `items`, each through its read_one (which returns
// what sd_bus_message_read does: 0 at the end of the array).
template <class Item>
int read_array(sd_bus_message* message, std::vector<Item>& items) {
    int r = sd_bus_message_enter_container(message, 'a', ElementType<Item>::value);
    if (r < 0) return r;
    for (;;) {
        Item item;
        r = read_one(message, item);
        if (r < 0) return r;
        if (r == 0) break;
        items.push_back(std::move(item));
    }
    return sd_bus_message_exit_container(message);
}

// Appends the arrays in their order, stopping at the first that sd-bus refuses.
template <class... Items>
int append_arrays(sd_bus_message* message, const std::vector<Items>&... arrays) {
    int r = 0;
    ((r = r < 0 ? r : append_array(message, arrays)), ...);
    return r;
}

// Reads the arrays in their order, stopping at the first that sd-bus refuses.
template <class... Items>
int read_arrays(sd_bus_message* message, std::vector<Items>&... arrays) {
    int r = 0;
    ((r = r < 0 ? r : read_array(message, arrays)), ...);
    return r;
}

}  // namespace

int append_assignments_facts(sd_bus_message* reply, const reports::AssignmentsInput& in) {
    int r = sd_bus_message_append(reply, facts::Assignments::arg::cradle, in.cradle.c_str());
    if (r < 0) return r;
    return append_arrays(reply, in.devices, in.last_docks, in.readiness, in.changes,
                         in.disagreements, in.officers);
}

int read_assignments_facts(sd_bus_message* reply, reports::AssignmentsInput& out) {
    const char* cradle = nullptr;
    int r = sd_bus_message_read(reply, facts::Assignments::arg::cradle, &cradle);
    if (r < 0) return r;
    out.cradle = text(cradle);
    return read_arrays(reply, out.devices, out.last_docks, out.readiness, out.changes,
                       out.disagreements, out.officers);
}

int append_dock_day_facts(sd_bus_message* reply, const reports::DockDayInput& in) {
    int r = sd_bus_message_append(reply, facts::DockDay::arg::cradle, in.cradle.c_str());
    if (r < 0) return r;
    return append_arrays(reply, in.docks, in.recordings, in.devices, in.officers);
}

int read_dock_day_facts(sd_bus_message* reply, reports::DockDayInput& out) {
    const char* cradle = nullptr;
    int r = sd_bus_message_read(reply, facts::DockDay::arg::cradle, &cradle);
    if (r < 0) return r;
    out.cradle = text(cradle);
    return read_arrays(reply, out.docks, out.recordings, out.devices, out.officers);
}

int append_officers(sd_bus_message* call, const std::vector<reports::OfficerFacts>& list) {
    return append_array(call, list);
}

int read_officers(sd_bus_message* call, std::vector<reports::OfficerFacts>& list) {
    return read_array(call, list);
}

namespace {

std::size_t bytes_of(const reports::DeviceFacts& d) {
    return 96 + d.serial.size() + d.model.size() + d.firmware.size() + d.custodian.size() +
           d.officer.size() + d.head.size();
}
std::size_t bytes_of(const reports::DockFacts& d) {
    return 128 + d.serial.size() + d.outcome.size() + d.faults.size() + d.clock_note.size();
}
std::size_t bytes_of(const reports::ReadinessFacts& f) {
    return 32 + f.serial.size() + f.verdict.size();
}
std::size_t bytes_of(const reports::ChangeFacts& c) {
    return 64 + c.serial.size() + c.action.size() + c.custodian.size() + c.officer.size() +
           c.head.size() + c.previous_custodian.size() + c.previous_officer.size() +
           c.previous_head.size() + c.changed_by.size() + c.reason.size();
}
std::size_t bytes_of(const reports::RecordingFacts& f) {
    return 80 + f.serial.size() + f.name.size() + f.officer.size() + f.camera_officer_id.size();
}
std::size_t bytes_of(const reports::OfficerFacts& o) {
    return 16 + o.badge.size() + o.name.size() + o.team.size();
}
template <class Item>
std::size_t bytes_of(const std::vector<Item>& items) {
    std::size_t bytes = 8;
    for (const Item& item : items) bytes += bytes_of(item);
    return bytes;
}

}  // namespace

std::size_t approximate_bytes(const reports::AssignmentsInput& in) {
    return 16 + in.cradle.size() + bytes_of(in.devices) + bytes_of(in.last_docks) +
           bytes_of(in.readiness) + bytes_of(in.changes) + bytes_of(in.disagreements) +
           bytes_of(in.officers);
}

std::size_t approximate_bytes(const reports::DockDayInput& in) {
    return 16 + in.cradle.size() + bytes_of(in.docks) + bytes_of(in.recordings) +
           bytes_of(in.devices) + bytes_of(in.officers);
}

}  // namespace cradle::dbus
