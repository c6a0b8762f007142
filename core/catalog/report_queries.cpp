// SPDX-License-Identifier: Apache-2.0
#include "core/catalog/report_queries.hpp"

#include "core/catalog/sqlite.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cradle {

namespace {

// A printable file name is enough for a report; the catalog keeps the raw bytes.
constexpr std::size_t kMaxReportNameBytes = 256;

// The readiness of a camera whose dock is under way: not ready until the dock says otherwise.
constexpr std::string_view kBeingChecked = "docked: being checked";

reports::DeviceFacts read_device_facts(const sqlite::Query& row) {
    reports::DeviceFacts facts;
    facts.serial = row.text(1);
    facts.model = row.text(2);
    facts.firmware = row.text(3);
    facts.registered = row.integer(4) != 0;
    facts.retired = row.integer(5) != 0;
    facts.retired_at = row.integer(6);
    facts.custodian = row.text(7);
    facts.officer = row.text(8);
    facts.head = row.text(9);
    facts.first_seen = row.integer(10);
    facts.last_seen = row.integer(11);
    return facts;
}

constexpr std::string_view kDeviceColumns =
    "id, serial, model, firmware, registered, retired, retired_at, custodian, officer, head, "
    "first_seen, last_seen";

// A recording with its device's serial, in the columns' order read_recording_facts reads.
constexpr std::string_view kRecordingFactsSelect =
    "SELECT r.id, d.serial, r.name, r.size, r.captured_unix_s, r.archived_at, r.wiped_at, "
    "r.officer, r.camera_officer_id, r.attribution_disagrees FROM recordings r "
    "JOIN devices d ON d.id = r.device_id ";

reports::RecordingFacts read_recording_facts(const sqlite::Query& row) {
    reports::RecordingFacts facts;
    facts.id = row.integer(0);
    facts.serial = row.text(1);
    facts.name = sanitize_text(row.blob(2), kMaxReportNameBytes);
    facts.size = static_cast<std::uint64_t>(row.integer(3));
    facts.captured_at = row.integer(4);
    facts.archived_at = row.integer(5);
    facts.wiped_at = row.integer(6);
    facts.officer = row.text(7);
    facts.camera_officer_id = row.text(8);
    facts.attribution_disagrees = row.integer(9) != 0;
    return facts;
}

// A dock with its device's serial, in the columns' order ReportInputReader::dock_facts reads.
constexpr std::string_view kDockSelect =
    "SELECT s.id, s.device_id, d.serial, s.bay, s.started_at, s.ended_at, s.outcome "
    "FROM dock_sessions s JOIN devices d ON d.id = s.device_id ";

// The queries of both reports over one snapshot of the catalog: every query of one report sees
// the same committed state. Each per-device or per-dock query is a lookup in an index made for
// it (schema 4), so a report costs in proportion to what it shows, not to the years of history
// behind it.
struct ReportInputReader {
    explicit ReportInputReader(const Catalog& catalog, std::string what)
        : snapshot(catalog.read_snapshot(std::move(what))) {}

    sqlite::ReadSnapshot snapshot;

    sqlite::Query last_offload_of_device =
        snapshot.query("SELECT max(archived_at) FROM recordings WHERE device_id = ?");
    sqlite::Query latest_dock_of_device =
        snapshot.query(std::string(kDockSelect) +
                       "WHERE s.device_id = ? ORDER BY s.started_at DESC, s.id DESC LIMIT 1");
    sqlite::Query last_health_of_dock = snapshot.query(
        "SELECT battery_percent, charging, faults, storage_free_bytes FROM health_checks "
        "WHERE dock_session_id = ? ORDER BY at DESC, id DESC LIMIT 1");
    // The first sync of a dock measured the drift before anything was set.
    sqlite::Query clock_sync_of_dock = snapshot.query(
        "SELECT drift_ms, corrected, note FROM clock_syncs WHERE dock_session_id = ? "
        "ORDER BY at, id LIMIT 1");
    sqlite::Query archived_during = snapshot.query(
        "SELECT count(*), coalesce(sum(size), 0) FROM recordings "
        "WHERE device_id = ? AND archived_at >= ? AND archived_at < ?");
    sqlite::Query wiped_during = snapshot.query(
        "SELECT count(*) FROM recordings "
        "WHERE device_id = ? AND wiped_at >= ? AND wiped_at < ?");
    // The start of the device's next dock after this one (docks starting in the same second
    // come in the order they were written).
    sqlite::Query next_dock_start_of_device = snapshot.query(
        "SELECT started_at FROM dock_sessions WHERE device_id = ?1 AND "
        "(started_at > ?2 OR (started_at = ?2 AND id > ?3)) ORDER BY started_at, id LIMIT 1");
    // The verdicts of a dock are given from its start until the next dock of the device
    // starts (a charging watch ends before that); the bounds keep the lookup to those rows.
    sqlite::Query latest_verdict_of_dock = snapshot.query(
        "SELECT verdict FROM readiness WHERE device_id = ?1 AND at >= ?2 AND at <= ?3 "
        "AND dock_session_id = ?4 ORDER BY at DESC, id DESC LIMIT 1");
    sqlite::Query latest_readiness_of_device = snapshot.query(
        "SELECT at, ready, verdict, coalesce(dock_session_id, 0) FROM readiness "
        "WHERE device_id = ? ORDER BY at DESC, id DESC LIMIT 1");

    std::int64_t last_offload(std::int64_t device_id) {
        last_offload_of_device.bind(device_id);
        if (!last_offload_of_device.step() || last_offload_of_device.is_null(0)) return 0;
        return last_offload_of_device.integer(0);
    }

    // When the device's next dock after this one started; the largest time when there is none.
    std::int64_t next_dock_start(std::int64_t device_id, std::int64_t dock_id,
                                 std::int64_t started_at) {
        next_dock_start_of_device.bind(device_id, started_at, dock_id);
        if (!next_dock_start_of_device.step()) return std::numeric_limits<std::int64_t>::max();
        return next_dock_start_of_device.integer(0);
    }

    // A dock's row (kDockSelect) with its health, clock and offload. With latest_verdict, the
    // outcome is the dock's latest readiness verdict (a charging camera may turn ready in its
    // bay after its dock ended not ready), else the outcome the dock ended with.
    reports::DockFacts dock_facts(const sqlite::Query& row, bool latest_verdict = false) {
        reports::DockFacts dock;
        dock.dock_id = row.integer(0);
        const std::int64_t device_id = row.integer(1);
        dock.serial = row.text(2);
        dock.bay = static_cast<int>(row.integer(3));
        dock.started_at = row.integer(4);
        dock.ended_at = row.is_null(5) ? 0 : row.integer(5);
        dock.outcome = row.text(6);
        const std::int64_t dock_id = dock.dock_id;
        const std::int64_t started_at = dock.started_at;
        const std::int64_t ended_at = dock.ended_at;
        const std::int64_t next_start = next_dock_start(device_id, dock_id, started_at);
        if (latest_verdict) {
            latest_verdict_of_dock.bind(device_id, started_at, next_start, dock_id);
            if (latest_verdict_of_dock.step()) dock.outcome = latest_verdict_of_dock.text(0);
        }
        last_health_of_dock.bind(dock_id);
        if (last_health_of_dock.step()) {
            dock.health_checked = true;
            dock.battery_percent = static_cast<int>(last_health_of_dock.integer(0));
            dock.charging = last_health_of_dock.integer(1) != 0;
            dock.faults = last_health_of_dock.text(2);
            dock.storage_free_bytes = static_cast<std::uint64_t>(last_health_of_dock.integer(3));
        }
        clock_sync_of_dock.bind(dock_id);
        if (clock_sync_of_dock.step()) {
            dock.clock_measured = true;
            dock.clock_drift_ms = clock_sync_of_dock.integer(0);
            dock.clock_corrected = clock_sync_of_dock.integer(1) != 0;
            dock.clock_note = clock_sync_of_dock.text(2);
        }
        // What was archived or wiped during a dock: from its start up to its end, that second
        // included (the last recording is often archived in the second the dock ends), unless
        // the device's next dock starts in that second or before it ends (a crash leaves a dock
        // open): whatever happens from the next dock's start on is that dock's, so no recording
        // counts for two docks. Half-open: [started_at, min(ended_at + 1, next dock's start)).
        // A dock still open counts everything since it started.
        std::int64_t end = ended_at != 0 ? ended_at + 1 : std::numeric_limits<std::int64_t>::max();
        end = std::min(end, next_start);
        archived_during.bind(device_id, started_at, end);
        if (archived_during.step()) {
            dock.recordings_archived = static_cast<std::uint64_t>(archived_during.integer(0));
            dock.bytes_archived = static_cast<std::uint64_t>(archived_during.integer(1));
        }
        wiped_during.bind(device_id, started_at, end);
        if (wiped_during.step()) {
            dock.recordings_wiped = static_cast<std::uint64_t>(wiped_during.integer(0));
        }
        return dock;
    }

    std::optional<reports::DockFacts> latest_dock(std::int64_t device_id) {
        latest_dock_of_device.bind(device_id);
        if (!latest_dock_of_device.step()) return std::nullopt;
        return dock_facts(latest_dock_of_device);
    }

    // The device's readiness now: its latest verdict, unless its latest dock came after that
    // verdict (another dock, started later). Then the dock says it: its outcome once it ended
    // (a dock cut short by a crash ends "interrupted", and gives no verdict of its own), or
    // "docked: being checked" while it is under way. A device whose docks predate the
    // readiness history (schema 4) has only its docks to go by.
    std::optional<reports::ReadinessFacts> readiness(
        std::int64_t device_id, const std::string& serial,
        const std::optional<reports::DockFacts>& dock) {
        reports::ReadinessFacts facts;
        facts.serial = serial;
        latest_readiness_of_device.bind(device_id);
        const bool has_verdict = latest_readiness_of_device.step();
        if (has_verdict) {
            facts.at = latest_readiness_of_device.integer(0);
            facts.ready = latest_readiness_of_device.integer(1) != 0;
            facts.verdict = latest_readiness_of_device.text(2);
            const bool verdict_of_dock =
                dock && latest_readiness_of_device.integer(3) == dock->dock_id;
            if (!dock || verdict_of_dock || facts.at >= dock->started_at) return facts;
        }
        if (!dock) return std::nullopt;
        if (dock->ended_at == 0) {
            facts.at = dock->started_at;
            facts.ready = false;
            facts.verdict = std::string(kBeingChecked);
            return facts;
        }
        if (dock->outcome.empty()) {
            if (has_verdict) return facts;
            return std::nullopt;
        }
        facts.at = dock->ended_at;
        facts.ready = dock->outcome == "ready for duty";
        facts.verdict = dock->outcome;
        return facts;
    }

    std::vector<reports::OfficerFacts> officers() {
        sqlite::Query query =
            snapshot.query("SELECT badge, name, team FROM officers ORDER BY badge");
        std::vector<reports::OfficerFacts> rows;
        while (query.step()) rows.push_back({query.text(0), query.text(1), query.text(2)});
        return rows;
    }
};

// Period bounds are [from, to); a zero bound would take in the zeros that stand for "not yet".
std::int64_t lower_bound_of(reports::Period period) {
    return std::max<std::int64_t>(period.from, 1);
}

}  // namespace

reports::AssignmentsInput read_assignments_input(const Catalog& catalog, reports::Period period,
                                                 const std::string& cradle_name) {
    ReportInputReader reader(catalog, "reading the facts of the assignment report");
    reports::AssignmentsInput input;
    input.cradle = cradle_name;
    input.period = period;
    const std::int64_t from = lower_bound_of(period);

    sqlite::Query devices = reader.snapshot.query(
        std::string("SELECT ") + std::string(kDeviceColumns) + " FROM devices ORDER BY serial");
    while (devices.step()) {
        const std::int64_t device_id = devices.integer(0);
        reports::DeviceFacts device = read_device_facts(devices);
        device.last_offload = reader.last_offload(device_id);
        auto dock = reader.latest_dock(device_id);
        if (auto readiness = reader.readiness(device_id, device.serial, dock)) {
            input.readiness.push_back(std::move(*readiness));
        }
        if (dock) input.last_docks.push_back(std::move(*dock));
        input.devices.push_back(std::move(device));
    }

    sqlite::Query changes = reader.snapshot.query(
        "SELECT serial, at, action, custodian, officer, head, previous_custodian, "
        "previous_officer, previous_head, changed_by, reason FROM device_history "
        "WHERE at >= ? AND at < ? ORDER BY at, id");
    changes.bind(from, period.to);
    while (changes.step()) {
        reports::ChangeFacts change;
        change.serial = changes.text(0);
        change.at = changes.integer(1);
        change.action = changes.text(2);
        change.custodian = changes.text(3);
        change.officer = changes.text(4);
        change.head = changes.text(5);
        change.previous_custodian = changes.text(6);
        change.previous_officer = changes.text(7);
        change.previous_head = changes.text(8);
        change.changed_by = changes.text(9);
        change.reason = changes.text(10);
        input.changes.push_back(std::move(change));
    }

    sqlite::Query disagreements = reader.snapshot.query(
        std::string(kRecordingFactsSelect) +
        "WHERE r.attribution_disagrees = 1 AND r.captured_unix_s >= ? AND r.captured_unix_s < ? "
        "ORDER BY r.captured_unix_s, r.id");
    // A camera's clock may be anything, so a capture time of 0 is a real (wrong) time here.
    disagreements.bind(period.from, period.to);
    while (disagreements.step()) input.disagreements.push_back(read_recording_facts(disagreements));

    input.officers = reader.officers();
    return input;
}

reports::DockDayInput read_dock_day_input(const Catalog& catalog, const std::string& date,
                                          reports::Period day, const std::string& cradle_name) {
    ReportInputReader reader(catalog,
                             "reading the facts of the dock report of " + sanitize_text(date, 32));
    reports::DockDayInput input;
    input.cradle = cradle_name;
    input.date = date;
    input.period = day;
    const std::int64_t from = lower_bound_of(day);

    std::set<std::int64_t> device_ids;
    sqlite::Query docks = reader.snapshot.query(
        std::string(kDockSelect) +
        "WHERE s.started_at >= ? AND s.started_at < ? ORDER BY s.started_at, s.id");
    docks.bind(from, day.to);
    while (docks.step()) {
        device_ids.insert(docks.integer(1));
        input.docks.push_back(reader.dock_facts(docks, /*latest_verdict=*/true));
    }

    // Ordered by when the day's work on each happened: its archiving, or else its wipe.
    sqlite::Query recordings = reader.snapshot.query(
        std::string(kRecordingFactsSelect) +
        "WHERE (r.archived_at >= ?1 AND r.archived_at < ?2) "
        "OR (r.wiped_at >= ?1 AND r.wiped_at < ?2) "
        "ORDER BY CASE WHEN r.archived_at >= ?1 THEN r.archived_at ELSE r.wiped_at END, r.id");
    recordings.bind(from, day.to);
    while (recordings.step()) input.recordings.push_back(read_recording_facts(recordings));

    sqlite::Query device = reader.snapshot.query(
        std::string("SELECT ") + std::string(kDeviceColumns) + " FROM devices WHERE id = ?");
    std::vector<reports::DeviceFacts> devices;
    for (std::int64_t device_id : device_ids) {
        device.bind(device_id);
        if (!device.step()) continue;
        reports::DeviceFacts facts = read_device_facts(device);
        facts.last_offload = reader.last_offload(device_id);
        devices.push_back(std::move(facts));
    }
    std::sort(devices.begin(), devices.end(),
              [](const auto& a, const auto& b) { return a.serial < b.serial; });
    input.devices = std::move(devices);

    input.officers = reader.officers();
    return input;
}

std::optional<reports::ReadinessFacts> read_device_readiness(const Catalog& catalog,
                                                             const std::string& serial) {
    const std::optional<DeviceRow> device = catalog.find_device(serial);
    if (!device) return std::nullopt;
    ReportInputReader reader(catalog, "reading the readiness of device " + serial);
    return reader.readiness(device->id, serial, reader.latest_dock(device->id));
}

std::set<std::int64_t> confidential_among(const Catalog& catalog,
                                          const std::vector<reports::RecordingFacts>& recordings) {
    std::set<std::int64_t> ids;
    const ConfidentialMarks marks = catalog.confidential_marks();
    if (marks.empty()) return ids;
    for (const auto& recording : recordings) {
        const std::optional<RecordingRow> row = catalog.recording(recording.id);
        if (row && marks.covers(*row)) ids.insert(recording.id);
    }
    return ids;
}

reports::RecordingFacts withheld(const reports::RecordingFacts& recording) {
    reports::RecordingFacts shown;
    shown.name = "(confidential)";
    shown.archived_at = recording.archived_at;
    shown.wiped_at = recording.wiped_at;
    return shown;
}

void withhold(std::vector<reports::RecordingFacts>& recordings, const std::set<std::int64_t>& ids) {
    for (auto& recording : recordings) {
        if (ids.count(recording.id) != 0) recording = withheld(recording);
    }
}

}  // namespace cradle
