// SPDX-License-Identifier: Apache-2.0
#include "core/catalog/state_verifier.hpp"

#include "core/archive/archive_path.hpp"
#include "core/archive/archive_record.hpp"
#include "core/catalog/audit_journal.hpp"
#include "core/catalog/audit_signatures.hpp"
#include "core/catalog/disk_hash.hpp"
#include "core/catalog/register_replay.hpp"
#include "core/catalog/sqlite.hpp"

#include "common/read_file.hpp"
#include "common/sha256.hpp"
#include "core/catalog/catalog.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <set>
#include <utility>
#include <vector>

namespace cradle {

namespace {

namespace fs = std::filesystem;

std::string errno_text(int error) {
    return std::strerror(error);
}

std::string recording_label(const RecordingRow& row) {
    return "recording " + std::to_string(row.id);
}

std::string in_quotes(std::string_view text) {
    return "'" + sanitize_text(text, 256) + "'";
}

constexpr const char* kHashDiffers = " does not hash to the record hash the catalog holds";

class StateVerifier {
  public:
    StateVerifier(fs::path state_dir, VerifyOptions options)
        : options_(std::move(options)),
          state_dir_(std::move(state_dir)),
          archive_dir_(state_dir_ / "archive"),
          staging_dir_(state_dir_ / "staging"),
          catalog_(Catalog::open_read_only(state_dir_ / "catalog.sqlite")) {}

    VerifyReport run() {
        for (std::string& problem : catalog_.check_integrity()) add_problem(std::move(problem));
        std::vector<RecordingRow> recordings;
        std::vector<AuditRow> audit;
        RegisterTables register_tables;
        ConfidentialMarks marks;
        {
            // The register and the roster are held to the audit log: a change the daemon
            // commits while they are read must be in both or in neither.
            sqlite::ReadSnapshot snapshot = catalog_.read_snapshot("reading the catalog");
            recordings = catalog_.recordings();
            audit = catalog_.audit_rows();
            register_tables.devices = catalog_.devices();
            register_tables.history = catalog_.device_history();
            register_tables.officers = catalog_.officers();
            marks = catalog_.confidential_marks();
        }
        report_.recordings_checked = recordings.size();
        report_.audit_rows_checked = audit.size();

        check_unique_keys(recordings);
        index_audit(audit);
        check_audit_chain(audit);
        check_signatures(audit);
        check_register_against_audit(audit, register_tables, report_.problems);
        check_confidential_marks(audit, register_tables.devices, recordings, marks);
        record_hashes_ = catalog_.record_hashes();
        for (const RecordingRow& row : recordings) check_recording(row);
        check_no_orphans();
        check_staging_empty();
        check_journal(audit);
        list_quarantine();
        return std::move(report_);
    }

  private:
    void add_problem(std::string text) { report_.problems.push_back(std::move(text)); }

    // The confidentiality marks are held to the audit log too: a mark dropped from the table
    // would show a confidential recording to anyone who may read. Each device and recording
    // the table knows is marked exactly when the latest of its mark entries says so (a
    // rebuilt catalog sets the marks again from the log, for what it still knows).
    void check_confidential_marks(const std::vector<AuditRow>& audit,
                                  const std::vector<DeviceRow>& devices,
                                  const std::vector<RecordingRow>& recordings,
                                  const ConfidentialMarks& marks) {
        std::map<std::string, bool> device_marked;  // by serial, as the log names them
        std::map<std::int64_t, bool> recording_marked;
        for (const AuditRow& row : audit) {
            if (row.event == "device.marked_confidential") device_marked[row.device_serial] = true;
            if (row.event == "device.unmarked_confidential") {
                device_marked[row.device_serial] = false;
            }
            if (row.event == "recording.marked_confidential") {
                recording_marked[row.recording_id] = true;
            }
            if (row.event == "recording.unmarked_confidential") {
                recording_marked[row.recording_id] = false;
            }
        }
        for (const DeviceRow& device : devices) {
            const auto logged = device_marked.find(device.serial);
            const bool should = logged != device_marked.end() && logged->second;
            const bool is = marks.devices.count(device.id) != 0;
            if (should != is) {
                add_problem("confidential_marks: device '" + device.serial + "' is " +
                            (is ? "marked" : "not marked") + " confidential, the audit log says " +
                            (should ? "it is" : "it is not"));
            }
        }
        for (const RecordingRow& row : recordings) {
            const auto logged = recording_marked.find(row.id);
            const bool should = logged != recording_marked.end() && logged->second;
            const bool is = marks.recordings.count(row.id) != 0;
            if (should != is) {
                add_problem("confidential_marks: recording " + std::to_string(row.id) + " is " +
                            (is ? "marked" : "not marked") + " confidential, the audit log says " +
                            (should ? "it is" : "it is not"));
            }
        }
    }

    // One recording is one row: its device, name, size, capture time and SHA-256 (I3). Rows
    // still being copied have no hash yet. The handle is where the camera showed it, not who it
    // is: two rows may share it.
    void check_unique_keys(const std::vector<RecordingRow>& recordings) {
        std::map<ArchivedRecordingKey, std::int64_t> first_with_key;
        for (const RecordingRow& row : recordings) {
            if (row.state == RecordingState::copying) continue;
            auto [it, inserted] = first_with_key.emplace(archived_key_of(row), row.id);
            if (!inserted) {
                add_problem(recording_label(row) + ": same recording as " +
                            std::to_string(it->second) + " (device " +
                            std::to_string(row.key.device_id) + ", name " +
                            in_quotes(row.key.name) + ", sha256 " + row.sha256_hex +
                            "): one recording has two catalog rows");
            }
        }
    }

    void index_audit(const std::vector<AuditRow>& audit) {
        for (const AuditRow& row : audit) {
            if (row.event == "recording.archived") {
                archived_entries_.emplace(row.recording_id, AuditEntryRef{row.seq, row.detail});
            }
            if (row.event == "recording.wiped") wiped_recordings_.insert(row.recording_id);
        }
    }

    void check_recording(const RecordingRow& row) {
        if (row.state == RecordingState::copying) return;
        const std::string label = recording_label(row);

        auto archived_entry = archived_entries_.find(row.id);
        if (archived_entry == archived_entries_.end()) {
            add_problem(label + ": " + to_string(row.state) +
                        " but the audit log has no recording.archived entry for it");
        } else {
            // mark_archived writes "sha256=<hex>" into the entry's detail; the chained entry
            // is the reference if the recordings table was edited.
            const std::string& detail = archived_entry->second.detail;
            std::size_t at = detail.find("sha256=");
            if (at != std::string::npos && detail.compare(at + 7, 64, row.sha256_hex) != 0) {
                add_problem(label + ": catalog SHA-256 " + in_quotes(row.sha256_hex) +
                            " differs from the one in audit entry " +
                            std::to_string(archived_entry->second.seq));
            }
        }
        if (row.state == RecordingState::wiped && !wiped_recordings_.contains(row.id)) {
            add_problem(label + ": wiped but the audit log has no recording.wiped entry for it");
        }

        if (!is_archive_relative_path(row.archive_path)) {
            add_problem(label + ": archive path " + in_quotes(row.archive_path) +
                        " is not a plain path inside the archive");
            return;
        }
        const std::string& relative = row.archive_path;
        const std::string shown = sanitize_text("archive/" + relative, 1024);
        if (!expected_files_.insert(relative).second) {
            add_problem(label + ": archive file " + shown + " also belongs to another recording");
        }
        const fs::path file = archive_dir_ / relative;

        struct stat status {};
        if (::lstat(file.c_str(), &status) != 0) {
            add_problem(label + ": archive file " + shown + " is missing (" + errno_text(errno) +
                        ")");
            return;
        }
        if (!S_ISREG(status.st_mode)) {
            add_problem(label + ": archive file " + shown + " is not a regular file");
            return;
        }
        ++report_.files_checked;
        check_record(row, label, relative);
        if ((status.st_mode & (S_IWUSR | S_IWGRP | S_IWOTH)) != 0) {
            char mode[8];
            std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(status.st_mode & 07777));
            add_problem(label + ": archive file " + shown + " is writable (mode " + mode +
                        "); archived files must be read-only");
        }
        if (static_cast<std::uint64_t>(status.st_size) != row.key.size) {
            add_problem(label + ": archive file " + shown + " has " +
                        std::to_string(status.st_size) + " bytes, the catalog says " +
                        std::to_string(row.key.size));
            return;  // the hash cannot match either; one problem is enough
        }
        std::string error;
        auto hashed = hash_from_disk(file, error);
        if (!hashed) {
            add_problem(label + ": archive file " + shown + ": " + error);
        } else if (hashed->sha256_hex != row.sha256_hex) {
            add_problem(label + ": archive file " + shown + " hashes to " + hashed->sha256_hex +
                        ", the catalog says " + in_quotes(row.sha256_hex));
        }
    }

    void check_no_orphans() {
        std::vector<std::string> found;
        std::error_code ec;
        if (!fs::exists(archive_dir_, ec)) return;
        fs::recursive_directory_iterator it(archive_dir_, ec), end;
        if (ec) {
            add_problem("cannot list archive/: " + ec.message());
            return;
        }
        for (; it != end; it.increment(ec)) {
            if (ec) break;
            std::error_code type_ec;
            if (it->is_directory(type_ec) && !it->is_symlink(type_ec)) continue;
            std::string relative = it->path().lexically_relative(archive_dir_).generic_string();
            if (relative == kAuditJournalName) continue;
            if (!expected_files_.contains(relative)) found.push_back(relative);
        }
        if (ec) add_problem("cannot list all of archive/: " + ec.message());
        std::sort(found.begin(), found.end());
        for (const std::string& relative : found) {
            add_problem("orphan file archive/" + sanitize_text(relative, 1024) +
                        ": no archived recording refers to it");
        }
    }

    void check_staging_empty() {
        std::error_code ec;
        if (!fs::exists(staging_dir_, ec)) return;
        std::vector<std::string> leftovers;
        fs::directory_iterator it(staging_dir_, ec), end;
        for (; !ec && it != end; it.increment(ec)) {
            leftovers.push_back(it->path().filename().string());
        }
        if (ec) add_problem("cannot list staging/: " + ec.message());
        std::sort(leftovers.begin(), leftovers.end());
        for (const std::string& name : leftovers) {
            add_problem("staging leftover staging/" + sanitize_text(name, 256) +
                        ": staging must be empty after recovery");
        }
    }

    // The record beside an archived file (I6).
    void check_record(const RecordingRow& row, const std::string& label,
                      const std::string& relative) {
        const std::string record_relative = record_path_of(relative);
        const fs::path file = archive_dir_ / record_relative;
        const std::string shown = sanitize_text("archive/" + record_relative, 1024);
        auto expected = record_hashes_.find(row.id);
        std::error_code ec;
        if (!fs::exists(file, ec)) {
            if (expected != record_hashes_.end()) {
                add_problem(label + ": its record " + shown + " is missing");
            }
            return;
        }
        expected_files_.insert(record_relative);
        std::string text;
        try {
            text = read_whole_file(file, ArchiveRecord::kMaxBytes, O_NOFOLLOW);
        } catch (const ReadFileError& error) {
            switch (error.kind()) {
                case ReadFileError::Kind::cannot_open:
                    add_problem(label + ": its record " + shown + " cannot be opened");
                    break;
                case ReadFileError::Kind::too_large:
                    // Neither the record the catalog holds the hash of, nor any record (the
                    // parser's words).
                    if (expected != record_hashes_.end()) {
                        add_problem(label + ": its record " + shown + kHashDiffers);
                    }
                    add_problem(label + ": its record " + shown + " larger than a record can be");
                    break;
                case ReadFileError::Kind::not_regular:
                case ReadFileError::Kind::cannot_read:
                    add_problem(label + ": its record " + shown + " cannot be read");
                    break;
            }
            return;
        }
        if (expected != record_hashes_.end() && Sha256::hex_of(text) != expected->second) {
            add_problem(label + ": its record " + shown + kHashDiffers);
        }
        std::string error;
        auto record = parse_record(text, error);
        if (!record) {
            add_problem(label + ": its record " + shown + " " + error);
        } else if (record->recording_id != row.id || record->sha256_hex != row.sha256_hex ||
                   record->archive_path != relative) {
            add_problem(label + ": its record " + shown +
                        " names another recording, SHA-256 or path than the catalog");
        } else if (!record->signature_hex.empty()) {
            // A version 2 record is signed by one of the log's keys. (A version 1 record, from
            // before the key, is bound by its hash in the signed recording.archived entry.)
            const bool verified =
                std::any_of(log_keys_.begin(), log_keys_.end(), [&](const PublicKey& key) {
                    return record_signature_verifies(text, *record, key);
                });
            if (!verified) {
                add_problem(label + ": its record " + shown +
                            " carries a signature that does not verify with the audit log's keys");
            }
        }
    }

    // The archive's journal must be the catalog's audit log or a prefix of it.
    void check_journal(const std::vector<AuditRow>& audit) {
        JournalContents journal;
        try {
            journal = read_journal(archive_dir_ / std::string(kAuditJournalName));
        } catch (const std::exception& error) {
            add_problem(std::string("cannot read archive/audit.journal: ") + error.what());
            return;
        }
        for (std::string& problem : journal.problems) add_problem(std::move(problem));
        // A running daemon may have committed (and journalled) entries since the audit log was
        // read: those are looked up again before the catalog is said to be behind.
        std::vector<AuditRow> fresh;
        const std::vector<AuditRow>* catalog_rows = &audit;
        if (!journal.rows.empty() &&
            journal.rows.back().seq > static_cast<std::int64_t>(audit.size())) {
            fresh = catalog_.audit_rows();
            catalog_rows = &fresh;
        }
        for (const AuditRow& row : journal.rows) {
            const auto index = static_cast<std::size_t>(row.seq - 1);
            const std::vector<AuditRow>& rows = *catalog_rows;
            if (index >= rows.size() || rows[index].seq != row.seq) {
                add_problem("archive/audit.journal entry " + std::to_string(row.seq) +
                            ": the catalog lacks it (the catalog is behind the archive: "
                            "cradlectl rebuild-catalog)");
                return;
            }
            if (rows[index].hash_hex != row.hash_hex ||
                rows[index].signature_hex != row.signature_hex ||
                rows[index].key_id != row.key_id) {
                add_problem("archive/audit.journal entry " + std::to_string(row.seq) +
                            ": differs from the catalog's audit entry");
                return;
            }
        }
    }

    void list_quarantine() {
        try {
            report_.quarantined = quarantined_files(state_dir_);
        } catch (const std::exception& error) {
            add_problem(std::string("cannot list quarantine/: ") + error.what());
        }
    }

    void check_audit_chain(const std::vector<AuditRow>& audit) {
        std::string previous_hash(64, '0');
        std::int64_t previous_seq = 0;
        for (const AuditRow& row : audit) {
            const std::string label = "audit entry " + std::to_string(row.seq);
            if (row.seq != previous_seq + 1) {
                add_problem(label + ": follows entry " + std::to_string(previous_seq) +
                            "; entries in between are missing");
            }
            if (row.prev_hash_hex != previous_hash) {
                add_problem(label + ": does not link to " +
                            (previous_seq == 0 ? std::string("the start of the log")
                                               : "entry " + std::to_string(previous_seq)) +
                            " (prev_hash differs)");
            }
            if (Catalog::audit_hash(row) != row.hash_hex) {
                add_problem(label + " (" + sanitize_text(row.event, 64) +
                            "): its hash does not recompute; the entry was altered");
            }
            previous_hash = row.hash_hex;
            previous_seq = row.seq;
        }
    }

    // Who signed the log (audit_signatures.hpp). The keys it names are reported, for an auditor
    // without the public key to compare the first one's fingerprint with the one IT recorded.
    void check_signatures(const std::vector<AuditRow>& audit) {
        SignedLog log =
            check_audit_signatures(audit, options_.trusted_key, "audit entry", report_.problems);
        for (const PublicKey& key : log.keys) report_.signing_keys.push_back(key.fingerprint());
        log_keys_ = log.keys;
        report_.signed_entries = log.signed_entries;
        report_.entries_before_key = log.entries_before_key;
        report_.anchors_checked = options_.anchors.size();
        if (!options_.anchors.empty()) {
            report_.anchored_through =
                check_anchors(audit, log.keys, options_.anchors, report_.problems);
        }
    }

    VerifyOptions options_;
    std::vector<PublicKey> log_keys_;  // the audit log's signing keys, in order
    fs::path state_dir_;
    fs::path archive_dir_;
    fs::path staging_dir_;
    Catalog catalog_;
    VerifyReport report_;
    std::set<std::string> expected_files_;
    struct AuditEntryRef {
        std::int64_t seq = 0;
        std::string detail;
    };
    std::map<std::int64_t, AuditEntryRef> archived_entries_;  // by recording id, first entry
    std::set<std::int64_t> wiped_recordings_;
    std::map<std::int64_t, std::string> record_hashes_;
};

}  // namespace

std::vector<std::string> quarantined_files(const std::filesystem::path& state_dir) {
    const fs::path dir = state_dir / "quarantine";
    std::vector<std::string> files;
    if (!fs::exists(dir)) return files;
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
        if (entry.is_directory()) continue;
        files.push_back(entry.path().lexically_relative(state_dir).generic_string());
    }
    std::sort(files.begin(), files.end());
    return files;
}

VerifyReport verify_state(const std::filesystem::path& state_dir, const VerifyOptions& options) {
    return StateVerifier(state_dir, options).run();
}

}  // namespace cradle
