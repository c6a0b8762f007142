// SPDX-License-Identifier: Apache-2.0
// What the reports are built from: facts read from the register and the catalog, as plain
// data. The daemon reads them from its catalog and sends them over D-Bus; cradlectl reads them
// from a state directory when offline. Either way the same builders (builders.hpp) turn them
// into a Report in the reader's language. Times are UTC Unix seconds.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace cradle::reports {

// A time span [from, to): UTC seconds; the builders show its bounds in local time.
struct Period {
    std::int64_t from = 0;
    std::int64_t to = 0;
};

// One device of the register, or a camera seen but never registered.
struct DeviceFacts {
    std::string serial;
    std::string model;
    std::string firmware;
    bool registered = false;
    bool retired = false;
    std::int64_t retired_at = 0;
    std::string custodian;
    std::string officer;  // "pool" for a shared camera
    std::string head;
    std::int64_t first_seen = 0;  // 0: never docked
    std::int64_t last_seen = 0;
    std::int64_t last_offload = 0;  // when its latest recording was archived; 0: never
};

// One dock of one camera: its health, clock and offload, and the readiness verdict.
struct DockFacts {
    std::int64_t dock_id = 0;
    std::string serial;
    int bay = 0;
    std::int64_t started_at = 0;
    std::int64_t ended_at = 0;  // 0 while still docked
    std::string outcome;  // the dock's verdict: "ready for duty", "not ready: ...", "needs ..."
    bool health_checked = false;
    int battery_percent = 0;  // the last reading of the dock
    bool charging = false;
    std::string faults;  // "; "-joined; "" when none
    std::uint64_t storage_free_bytes = 0;
    bool clock_measured = false;
    std::int64_t clock_drift_ms = 0;  // camera minus cradle, before any correction
    bool clock_corrected = false;
    std::string clock_note;
    std::uint64_t recordings_archived = 0;  // archived during this dock
    std::uint64_t bytes_archived = 0;
    std::uint64_t recordings_wiped = 0;  // wiped during this dock
};

// The latest readiness verdict of a device (at a dock's end, or later while it charged).
struct ReadinessFacts {
    std::string serial;
    std::int64_t at = 0;
    bool ready = false;
    std::string verdict;  // "ready for duty" or "not ready: reasons"
};

// One recording, with whose footage it is.
struct RecordingFacts {
    std::int64_t id = 0;
    std::string serial;
    std::string name;  // printable (sanitised) form of the camera's file name
    std::uint64_t size = 0;
    std::int64_t captured_at = 0;  // by the camera's clock
    std::int64_t archived_at = 0;  // 0: not archived yet
    std::int64_t wiped_at = 0;     // 0: still on the camera
    // The officer whose assignment was valid at captured_at ("pool"; "" when the camera was not
    // registered then), and the officer ID the camera itself reported ("" when none).
    std::string officer;
    std::string camera_officer_id;
    bool attribution_disagrees = false;  // both known and they name different officers
};

// One change of the register (a device_history row).
struct ChangeFacts {
    std::string serial;
    std::int64_t at = 0;
    std::string action;  // "registered", "reassigned", "changed", "retired", "reinstated"
    std::string custodian;
    std::string officer;
    std::string head;
    std::string previous_custodian;
    std::string previous_officer;
    std::string previous_head;
    std::string changed_by;
    std::string reason;
};

// One officer of the roster (imported from CSV): the ID a camera may report, and the name.
struct OfficerFacts {
    std::string badge;
    std::string name;
    std::string team;
};

// The Article 6 device-assignment report: every device with its latest dock and readiness,
// the unregistered cameras seen, the register's changes and the attribution disagreements of
// the period.
struct AssignmentsInput {
    std::string cradle;  // the cradle's name (host name)
    Period period;
    std::vector<DeviceFacts> devices;       // every device, registered or not, by serial
    std::vector<DockFacts> last_docks;      // each device's latest dock (if any), by serial
    std::vector<ReadinessFacts> readiness;  // each device's latest verdict (if any), by serial
    std::vector<ChangeFacts> changes;       // the register's changes in the period, oldest first
    std::vector<RecordingFacts> disagreements;  // captured in the period, attribution disagrees
    std::vector<OfficerFacts> officers;         // the roster, to show names for IDs
};

// The dock report of one day: every dock that started in it, and every recording archived or
// wiped in it.
struct DockDayInput {
    std::string cradle;
    std::string date;                        // the local date asked for, "2026-03-29"
    Period period;                           // that local day in UTC (23, 24 or 25 hours)
    std::vector<DockFacts> docks;            // started in the period, oldest first
    std::vector<RecordingFacts> recordings;  // archived or wiped in the period, by dock time
    std::vector<DeviceFacts> devices;        // the devices of those docks (their entries now)
    std::vector<OfficerFacts> officers;
};

}  // namespace cradle::reports
