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
// Version 2 (a signed record, once the cradle has its key: audit_signatures.hpp) is version 1
// with "cradled-record=2" and two more lines:
//   key_id                                         the cradle's signing key (16 hex digits)
//   signature                                      Ed25519, hex, of "cradled record signature
//                                                  v1\n" and every line before key_id
// A record is checked with the public key alone, wherever it is (the archive, the bucket).
// A record is the daemon's output, but when it is read back (recovery, rebuild) it is treated
// as untrusted text: bounded in size, every field validated.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cradle {

class PublicKey;
class SigningKey;

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
    // Version 2: the signature, and how many bytes of the record's text it covers.
    std::string key_id;
    std::string signature_hex;
    std::size_t signed_bytes = 0;
};

// The file's text: version 2, signed, with `key`; version 1 without. Text fields are
// sanitised (printable, bounded) here.
std::string format_record(const ArchiveRecord& record, const SigningKey* key = nullptr);

// Parses a record's text; nullopt with `error` set for anything that is not a well-formed
// version 1 or 2 record (the signature is not checked here).
std::optional<ArchiveRecord> parse_record(std::string_view text, std::string& error);
// Whether the parsed `record`, read from `text`, carries `key`'s signature of that text.
bool record_signature_verifies(std::string_view text, const ArchiveRecord& record,
                               const PublicKey& key);

// The name of the record of an archive file (relative paths alike).
std::string record_path_of(std::string_view archive_path);
// Whether a path names a record file.
bool is_record_path(std::string_view path);

// Lower-case hex of raw bytes, and back (nullopt for anything else than pairs of hex digits).
std::string to_hex(std::string_view bytes);
std::optional<std::string> from_hex(std::string_view hex);
bool is_sha256_hex_text(std::string_view text);

}  // namespace cradle
