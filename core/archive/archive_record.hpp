// SPDX-License-Identifier: Apache-2.0
// The metadata record beside every archived file (invariant I6: the archive is the record, the
// catalog its index). One small text file, <recording id>.<ext>.record next to the recording,
// written in the same durable step as the recording itself (ArchiveStore::store), so that the
// catalog can be rebuilt from the archive alone (cradlectl rebuild-catalog).
//
// Format, version 1: UTF-8 lines "key=value\n", every key exactly once, in this order:
//   cradled-record=1
//   recording_id, device_id, dock_session_id       decimal
//   device_serial, device_manufacturer, device_model, device_firmware, camera_officer_id
//                                                  sanitised printable text (no line breaks)
//   ptp_handle, captured_unix_s, size, archived_at decimal
//   raw_name_hex                                   the camera's name, raw bytes, hex
//   archive_path                                   relative to the archive root
//   sha256                                         of the archived file
//   previous_record_sha256                         SHA-256 of the previous record of the same
//                                                  camera ("" for its first): each camera's
//                                                  records form a chain
// A record is the daemon's output, but when it is read back (recovery, rebuild) it is treated
// as untrusted text: bounded in size, every field validated.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cradle {

// What the bay session knows of the camera and the dock: passed into ArchiveStore::store.
struct RecordIdentity {
    std::string device_serial;
    std::string device_manufacturer;
    std::string device_model;
    std::string device_firmware;
    std::string camera_officer_id;
    std::int64_t dock_session_id = 0;
    // SHA-256 of the camera's previous record ("" for its first): Catalog::last_record_hash.
    std::string previous_record_sha256;
};

struct ArchiveRecord {
    static constexpr int kFormatVersion = 1;
    // A record larger than this is not one of ours.
    static constexpr std::size_t kMaxBytes = 32 * 1024;

    std::int64_t recording_id = 0;
    std::int64_t device_id = 0;
    RecordIdentity identity;
    std::uint32_t ptp_handle = 0;
    std::string raw_name;  // raw bytes as the camera gave them (hex in the file)
    std::int64_t captured_unix_s = 0;
    std::uint64_t size = 0;
    std::int64_t archived_at = 0;
    std::string archive_path;
    std::string sha256_hex;
};

// The file's text. Text fields are sanitised (printable, bounded) here.
std::string format_record(const ArchiveRecord& record);

// Parses a record's text; nullopt with `error` set for anything that is not a well-formed
// version 1 record.
std::optional<ArchiveRecord> parse_record(std::string_view text, std::string& error);

// The name of the record of an archive file (relative paths alike).
std::string record_path_of(std::string_view archive_path);
// Whether a path names a record file.
bool is_record_path(std::string_view path);

// Lower-case hex of raw bytes, and back (nullopt for anything else than pairs of hex digits).
std::string to_hex(std::string_view bytes);
std::optional<std::string> from_hex(std::string_view hex);
bool is_sha256_hex_text(std::string_view text);

}  // namespace cradle
