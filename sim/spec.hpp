// SPDX-License-Identifier: Apache-2.0
// What an emulated cradle and its emulated cameras look like: bays, cameras, their footage and
// their faults. Parsed from etc/ (see core/config/config.hpp) or built by tests.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace cradle::hw::sim {

// Fault hooks of an emulated camera. Operation counts are over all driver calls of one
// SimCamera object (identify = op 1, ...); byte counts are over all bytes it has delivered.
struct FaultPlan {
    std::optional<std::uint64_t> yank_at_byte;  // unplugged once this many bytes were read
    std::optional<int> yank_at_op;              // unplugged at the start of operation k
    std::optional<int> hang_at_op;              // stops answering from operation k on
    std::uint64_t throttle_bytes_per_s = 0;     // 0 = as fast as the disk allows
    // The device declares size + lie_size_delta for the recording with this index (0-based
    // in the order of the footage as provisioned: the recording of handle index + 1).
    std::optional<int> lie_size_index;
    std::int64_t lie_size_delta = 0;
    // In-transit corruption: the byte at this offset of the recording with this index is
    // delivered flipped (bitwise not), on every read that covers it.
    std::optional<int> flip_index;
    std::uint64_t flip_offset = 0;
    bool hostile_names = false;                // adds recordings with hostile names
    std::optional<std::uint64_t> claim_count;  // the listing claims this many recordings
    std::vector<std::string> reported_faults;  // faults the camera reports in its health
    bool refuse_delete = false;                // DeleteObject fails
    bool ignore_delete = false;                // DeleteObject answers OK and keeps the object
    bool ignore_clock_set = false;             // accepts a new time and keeps its own clock
    bool not_charging = false;  // reports it is not charging, and does not (a dirty contact)
};

// Faults of the PTP link and of a hostile PTP device (cameras driven over PTP only).
struct PtpFaults {
    int busy_responses = 0;                  // answer DeviceBusy this many times first
    std::optional<int> stall_bulk_in_at_op;  // stall bulk-in at the data phase of operation k
    bool stall_bulk_in_for_good = false;     // ... and of every operation after k
    // Stall bulk-in once, in the middle of a data container, once this many bytes of data
    // containers were sent in all.
    std::optional<std::uint64_t> stall_bulk_in_at_data_byte;
    bool lie_data_length = false;                // data containers declare a wrong length
    bool unknown_data_length = false;            // data containers declare 0xFFFFFFFF
    std::optional<std::uint32_t> claim_handles;  // GetObjectHandles returns this many handles
    bool traversal_names = false;                // ObjectInfo filenames like "../../etc/passwd"
    bool bad_datetime = false;                   // DateTime values that do not parse
    bool size_4gib_minus_1 = false;              // ObjectInfo claims 0xFFFFFFFF bytes
    bool endless_events = false;                 // the interrupt endpoint never runs dry
    bool stale_response_first = false;           // a response of an old transaction comes first
    bool split_header = false;                   // a data container's header comes alone
    bool no_object_size = false;                 // no MTP GetObjectPropValue (ObjectSize)
    std::optional<int> battery_level;            // BatteryLevel reports this (may be > 100)
    // Artist (the officer ID) is listed and reports this instead of the camera's officer ID
    // (control characters, blanks, overlong text).
    std::optional<std::string> artist;
    bool artist_truncated = false;  // Artist's value is cut short (does not parse)
    bool artist_refused = false;    // Artist is listed but reading it answers not supported
};

struct CameraSpec {
    std::string serial;
    std::string manufacturer = "Lingchuan Optics";
    std::string model = "LC-BWC7";
    std::string firmware = "2.4.1";
    std::string officer_id;
    int bay = 0;  // 1-based bay it is docked in at start; 0 = not docked
    int recordings = 10;
    std::uint64_t total_bytes = 100ull << 20;  // footage, spread over the recordings
    std::uint64_t seed = 1;
    // Mixed into the recordings' bytes only: names, sizes and capture times stay those of
    // `seed`. Two cameras of one seed and different salts hold recordings that look alike
    // (name, size, time, handle) and differ in content.
    std::uint64_t content_salt = 0;
    // The name of its storage directory under CradleSpec::storage_dir; empty: the serial. Two
    // cameras presenting one serial (cheap cameras ship so) need two names.
    std::string storage_name;
    int battery_percent = 90;
    // Charging in a bay: the battery rises by this much after each health read, up to 100.
    int charge_percent_per_health_read = 0;
    std::int64_t clock_offset_s = 0;  // camera clock minus true time
    std::uint64_t storage_total_bytes = 32ull << 30;
    // The recordings' bytes are generated from the seed on every read (footage_bytes) instead
    // of being read from storage, where each object is a sparse file of its size: a camera can
    // then hold recordings of many GiB at no disk cost. Other readers of the storage see zeros.
    bool generated_footage = false;
    FaultPlan faults;
    PtpFaults ptp_faults;
};

struct CradleSpec {
    int bays = 4;
    // Each camera keeps its storage in <storage_dir>/<serial>/, which outlives the daemon, as
    // a real camera's storage would.
    std::filesystem::path storage_dir;
    std::vector<CameraSpec> cameras;
    // Cameras are driven through the PTP driver over an in-process PTP device model, as a
    // camera on USB would be (PtpCamera over PtpResponder over SimCamera).
    bool over_ptp = false;
};

}  // namespace cradle::hw::sim
