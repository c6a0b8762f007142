// SPDX-License-Identifier: Apache-2.0
#include "core/catalog/catalog_rebuild.hpp"

#include "common/atomic_file.hpp"
#include "common/read_file.hpp"
#include "common/sha256.hpp"
#include "core/archive/archive_path.hpp"
#include "core/archive/archive_record.hpp"
#include "core/catalog/audit_journal.hpp"
#include "core/catalog/audit_signatures.hpp"
#include "core/catalog/catalog.hpp"
#include "core/catalog/disk_hash.hpp"
#include "core/catalog/signing_identity.hpp"

#include <fcntl.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <optional>
#include <set>
#include <system_error>
#include <vector>

namespace cradle {

namespace {

namespace fs = std::filesystem;

// Reads at most `limit` bytes (nullopt when the file is larger, is no regular file or cannot be
// read).
std::optional<std::string> read_bounded(const fs::path& path, std::size_t limit) {
    try {
        return read_whole_file(path, limit, O_NOFOLLOW);
    } catch (const ReadFileError&) {
        return std::nullopt;
    }
}

std::string shown(const std::string& relative) {
    return "archive/" + sanitize_text(relative, 1024);
}

struct Found {
    ArchiveRecord record;
    std::string record_sha256;
};

// Why rebuild-catalog must not start: a catalog exists (it never writes over one), or there is
// no archive; nothing when it may.
std::optional<std::string> refusal(const fs::path& catalog_file, const fs::path& archive) {
    for (const char* suffix : {"", "-wal", "-shm"}) {
        std::error_code ec;
        const fs::path file = catalog_file.string() + suffix;
        if (fs::symlink_status(file, ec).type() != fs::file_type::not_found) {
            return "a catalog exists already (" + file.string() +
                   "): rebuild-catalog never writes over one. Move it aside first, "
                   "with its -wal and -shm files if any (e.g. into a folder "
                   "catalog-old/ beside it), and run rebuild-catalog again";
        }
    }
    std::error_code ec;
    if (!fs::is_directory(archive, ec)) return "there is no archive at " + archive.string();

    return std::nullopt;
}

struct ArchiveFiles {
    std::set<std::string> data;     // recordings, relative to the archive
    std::set<std::string> records;  // the records beside them
};

// The archive's files, read only; sets report.refused when the archive cannot be listed.
ArchiveFiles list_archive(const fs::path& archive, RebuildReport& report) {
    ArchiveFiles files;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(archive, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        std::error_code type_ec;
        const auto status = it->symlink_status(type_ec);
        if (fs::is_directory(status)) continue;
        const std::string relative = it->path().lexically_relative(archive).generic_string();
        if (relative == kAuditJournalName) continue;
        if (!fs::is_regular_file(status)) {
            report.disagreements.push_back(shown(relative) + ": not a regular file; left as is");
            continue;
        }
        (is_record_path(relative) ? files.records : files.data).insert(relative);
    }
    if (ec) {
        report.refused = "cannot list the archive " + archive.string() + ": " + ec.message();
    }

    return files;
}

// Each recording whose record is readable, names it, and agrees with its bytes on the disk, by
// recording id; every other file is a disagreement, left where it is.
std::map<std::int64_t, Found> read_records(const fs::path& archive, const ArchiveFiles& files,
                                           RebuildReport& report) {
    std::map<std::int64_t, Found> by_id;
    for (const std::string& relative : files.data) {
        const std::string record_relative = record_path_of(relative);
        if (!files.records.contains(record_relative)) {
            report.disagreements.push_back(shown(relative) +
                                           ": has no record; left where it is, not catalogued");
            continue;
        }
        auto text = read_bounded(archive / record_relative, ArchiveRecord::kMaxBytes);
        if (!text) {
            report.disagreements.push_back(shown(record_relative) +
                                           ": cannot be read or is too large; its recording is "
                                           "left where it is, not catalogued");
            continue;
        }
        std::string error;
        auto record = parse_record(*text, error);
        if (!record) {
            report.disagreements.push_back(shown(record_relative) + ": " + error +
                                           "; its recording is left where it is, not catalogued");
            continue;
        }
        if (record->archive_path != relative) {
            report.disagreements.push_back(shown(record_relative) +
                                           ": names another path; left where it is");
            continue;
        }
        std::string unread;  // why not: the disagreement says only that it cannot be read
        auto hashed = hash_from_disk(archive / relative, unread);
        if (!hashed) {
            report.disagreements.push_back(shown(relative) + ": cannot be read; left where it is");
            continue;
        }
        if (hashed->size != record->size || hashed->sha256_hex != record->sha256_hex) {
            report.disagreements.push_back(
                shown(relative) + ": " + std::to_string(hashed->size) + " bytes hashing to " +
                hashed->sha256_hex + ", its record says " + std::to_string(record->size) +
                " bytes, " + record->sha256_hex + "; left where it is, not catalogued");
            continue;
        }
        if (by_id.contains(record->recording_id)) {
            report.disagreements.push_back(shown(relative) + ": recording id " +
                                           std::to_string(record->recording_id) + " is taken by " +
                                           shown(by_id[record->recording_id].record.archive_path) +
                                           "; left where it is, not catalogued");
            continue;
        }
        const std::int64_t id = record->recording_id;
        by_id.emplace(id, Found{std::move(*record), Sha256::hex_of(*text)});
    }
    for (const std::string& relative : files.records) {
        if (!files.data.contains(relative.substr(0, relative.size() - 7))) {
            report.disagreements.push_back(shown(relative) +
                                           ": a record without its recording; left where it is");
        }
    }

    return by_id;
}

struct Restored {
    std::vector<DeviceRow> devices;
    std::vector<Catalog::RestoredRecording> recordings;
};

// A recording's row as its record describes it: archived until the audit log says wiped.
Catalog::RestoredRecording restored_row(std::int64_t id, const Found& found) {
    const ArchiveRecord& record = found.record;
    Catalog::RestoredRecording restored;
    RecordingRow& row = restored.row;
    row.id = id;
    row.key.device_id = record.device_id;
    row.key.handle = record.ptp_handle;
    row.key.name = record.raw_name;
    row.key.size = record.size;
    row.key.captured_unix_s = record.captured_unix_s;
    row.state = RecordingState::archived;
    row.sha256_hex = record.sha256_hex;
    row.archive_path = record.archive_path;
    row.archived_at = record.archived_at;
    row.camera_officer_id = record.identity.camera_officer_id;
    restored.record_sha256_hex = found.record_sha256;
    return restored;
}

// The devices and the recordings' rows the records describe, each camera's chain of records
// checked; a second copy of a recording, or a device under two serials, is a disagreement.
Restored restore_rows(std::map<std::int64_t, Found>& by_id, RebuildReport& report) {
    Restored restored_rows;
    std::map<std::int64_t, DeviceRow> devices;
    std::map<std::int64_t, std::set<std::string>> record_hashes_by_device;
    for (auto& [id, found] : by_id) {
        record_hashes_by_device[found.record.device_id].insert(found.record_sha256);
    }
    std::map<std::string, std::int64_t> device_of_serial;
    std::vector<Catalog::RestoredRecording>& recordings = restored_rows.recordings;
    // One row per recording, as the catalog keys it (schema 5).
    std::map<ArchivedRecordingKey, std::int64_t> id_of_key;
    for (auto& [id, found] : by_id) {
        const ArchiveRecord& record = found.record;
        const RecordIdentity& identity = record.identity;
        auto [same, fresh_key] =
            id_of_key.emplace(ArchivedRecordingKey{record.device_id, record.raw_name, record.size,
                                                   record.captured_unix_s, record.sha256_hex},
                              id);
        if (!fresh_key) {
            report.disagreements.push_back(shown(record.archive_path) +
                                           ": the same recording as recording " +
                                           std::to_string(same->second) +
                                           " (a second copy); left where it is, not catalogued");
            continue;
        }
        auto [device, inserted] = devices.try_emplace(record.device_id);
        if (inserted) {
            auto [serial_entry, fresh] =
                device_of_serial.emplace(identity.device_serial, record.device_id);
            if (!fresh) {
                report.disagreements.push_back(
                    shown(record.archive_path) + ": device " + std::to_string(record.device_id) +
                    " has the serial of device " + std::to_string(serial_entry->second) +
                    "; left where it is, not catalogued");
                devices.erase(device);
                continue;
            }
            device->second.id = record.device_id;
            device->second.serial = identity.device_serial;
            device->second.manufacturer = identity.device_manufacturer;
            device->second.model = identity.device_model;
            device->second.firmware = identity.device_firmware;
            device->second.first_seen = record.archived_at;
            device->second.last_seen = record.archived_at;
        } else if (device->second.serial != identity.device_serial) {
            report.disagreements.push_back(
                shown(record.archive_path) + ": device " + std::to_string(record.device_id) +
                " is named " + sanitize_text(identity.device_serial) + " here and " +
                device->second.serial + " elsewhere; left where it is, not catalogued");
            continue;
        } else {
            device->second.first_seen = std::min(device->second.first_seen, record.archived_at);
            device->second.last_seen = std::max(device->second.last_seen, record.archived_at);
            // The latest record says what the camera is now.
            device->second.model = identity.device_model;
            device->second.firmware = identity.device_firmware;
        }
        if (!identity.previous_record_sha256.empty() &&
            !record_hashes_by_device[record.device_id].contains(identity.previous_record_sha256)) {
            report.disagreements.push_back(shown(record_path_of(record.archive_path)) +
                                           ": chain broken: the previous record it names (" +
                                           identity.previous_record_sha256 +
                                           ") is not in the archive; the recording is catalogued");
        }
        recordings.push_back(restored_row(id, found));
    }

    for (auto& [id, device] : devices) restored_rows.devices.push_back(device);
    return restored_rows;
}

// The audit log, from the journal: the intact start of its chain.
std::vector<AuditRow> restore_audit(const fs::path& archive, RebuildReport& report) {
    JournalContents journal = read_journal(archive / std::string(kAuditJournalName));
    if (!journal.exists) {
        report.disagreements.push_back(
            "archive/audit.journal: missing; the audit log starts afresh and the recordings' "
            "audit entries are missing");
    }
    for (std::string& problem : journal.problems) {
        report.disagreements.push_back(std::move(problem) +
                                       "; the audit log is restored up to "
                                       "the line before it");
    }
    if (journal.torn_tail) {
        report.disagreements.push_back(
            "archive/audit.journal: its last line is incomplete (a write cut short); ignored");
    }
    std::vector<AuditRow> audit = journal.rows;
    if (!journal.problems.empty()) {
        // Rows after a malformed line cannot be placed in the chain with certainty.
        std::size_t keep = 0;
        while (keep < audit.size() && audit[keep].seq == static_cast<std::int64_t>(keep) + 1)
            ++keep;
        audit.resize(keep);
    }
    std::vector<std::string> chain_problems;
    const std::size_t intact = check_journal_chain(audit, chain_problems);
    for (std::string& problem : chain_problems) {
        report.disagreements.push_back(std::move(problem) +
                                       "; the audit log is restored up to the entry before it");
    }
    audit.resize(intact);

    return audit;
}

// The recordings the audit log says were wiped are wiped; each must have its archived entry,
// naming the hash its record names.
void apply_audit(const std::vector<AuditRow>& audit,
                 std::vector<Catalog::RestoredRecording>& recordings, RebuildReport& report) {
    std::map<std::int64_t, std::int64_t> wiped_at;
    std::map<std::int64_t, std::string> archived_detail;
    for (const AuditRow& row : audit) {
        if (row.event == "recording.wiped") wiped_at.emplace(row.recording_id, row.at);
        if (row.event == "recording.archived")
            archived_detail.emplace(row.recording_id, row.detail);
    }
    for (auto& restored : recordings) {
        RecordingRow& row = restored.row;
        auto wiped = wiped_at.find(row.id);
        if (wiped != wiped_at.end()) {
            row.state = RecordingState::wiped;
            row.wiped_at = wiped->second;
            ++report.wiped;
        }
        auto detail = archived_detail.find(row.id);
        if (detail == archived_detail.end()) {
            report.disagreements.push_back("recording " + std::to_string(row.id) + " (" +
                                           shown(row.archive_path) +
                                           "): the journal has no recording.archived entry");
        } else if (detail->second.find("sha256=" + row.sha256_hex) == std::string::npos) {
            report.disagreements.push_back("recording " + std::to_string(row.id) + " (" +
                                           shown(row.archive_path) +
                                           "): the journal's recording.archived entry names "
                                           "another SHA-256 than its record");
        }
    }
}

// The key that signs the rebuild's own entry: the one the restored log names last. A log that
// names a key the state directory does not hold is refused: an unsigned or otherwise signed
// entry would break its signatures. A log that names none gets its key at the daemon's start.
std::shared_ptr<const SigningKey> signing_key_for(const fs::path& state_dir,
                                                  const std::vector<AuditRow>& audit,
                                                  RebuildReport& report) {
    std::optional<PublicKey> named;
    for (const AuditRow& row : audit) {
        if (auto key = key_named_in(row)) named = key;
    }
    std::optional<SigningKey> key;
    try {
        key = read_signing_key(state_dir);
    } catch (const IdentityError& error) {
        report.refused = error.what();
        return nullptr;
    }
    if (!named) return nullptr;
    if (!key || key->public_key() != *named) {
        report.refused = "the journal's audit log is signed by key " + named->fingerprint() +
                         ", and " + signing_key_file(state_dir).string() +
                         (key ? " holds another key" : " is missing or not readable") +
                         ": the rebuilt catalog's entry must be signed by that key (run as root "
                         "or the service's user, with the key restored; docs/evidence.md)";
        return nullptr;
    }
    return std::make_shared<const SigningKey>(std::move(*key));
}

// Writes the catalog beside its place, then renames it into its place.
void write_catalog(const fs::path& state_dir, const fs::path& catalog_file, const Restored& rows,
                   const std::vector<AuditRow>& audit, const RebuildReport& report,
                   std::shared_ptr<const SigningKey> key, std::int64_t now) {
    // Written beside the catalog's place and renamed into it: there is never a half-built
    // catalog under the name the daemon opens.
    const fs::path temporary = state_dir / "catalog.sqlite.rebuilding";
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
        // Proof that this deletion loses nothing: the temporary catalog is rebuild-catalog's own
        // (the daemon never opens or writes this name), left by a rebuild that did not finish.
        std::error_code ec;
        fs::remove(temporary.string() + suffix, ec);
    }
    {
        Catalog catalog(temporary);
        // The rebuild's own entry is signed like the daemon's (audit_signatures.hpp).
        catalog.set_signer(std::move(key));
        catalog.restore_from_archive(
            rows.devices, rows.recordings, audit,
            "rebuilt from the archive: " + std::to_string(report.devices) + " device(s), " +
                std::to_string(report.recordings) + " recording(s), " +
                std::to_string(report.audit_entries) + " audit entries from the journal, " +
                std::to_string(report.disagreements.size()) + " disagreement(s)",
            now);
    }
    // Closing the last connection checkpointed the WAL into the file and removed it.
    std::error_code ec;
    if (fs::exists(temporary.string() + "-wal", ec)) {
        throw std::system_error(EIO, std::generic_category(),
                                "the rebuilt catalog's WAL was not checkpointed");
    }
    install_file(temporary, catalog_file);
}

}  // namespace

RebuildReport rebuild_catalog(const fs::path& state_dir, std::int64_t now) {
    RebuildReport report;
    const fs::path archive = state_dir / "archive";
    const fs::path catalog_file = state_dir / "catalog.sqlite";
    if (auto why = refusal(catalog_file, archive)) {
        report.refused = *why;
        return report;
    }
    const ArchiveFiles files = list_archive(archive, report);
    if (!report.refused.empty()) return report;
    std::map<std::int64_t, Found> by_id = read_records(archive, files, report);
    Restored rows = restore_rows(by_id, report);
    const std::vector<AuditRow> audit = restore_audit(archive, report);
    std::shared_ptr<const SigningKey> key = signing_key_for(state_dir, audit, report);
    if (!report.refused.empty()) return report;
    apply_audit(audit, rows.recordings, report);
    report.devices = rows.devices.size();
    report.recordings = rows.recordings.size();
    report.audit_entries = audit.size();
    write_catalog(state_dir, catalog_file, rows, audit, report, std::move(key), now);
    report.written = true;
    return report;
}

}  // namespace cradle
