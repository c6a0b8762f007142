// SPDX-License-Identifier: Apache-2.0
// What the catalog keeps of the archive: each recording's record hash, which the camera's next
// record chains to (invariant I6), and the restore of a fresh catalog from the archive.
#include "core/catalog/catalog_internal.hpp"

#include "core/archive/archive_path.hpp"

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

namespace cradle {

using namespace catalog_detail;
using sqlite::Blob;
using sqlite::Query;
using sqlite::Transaction;

std::string Catalog::last_record_hash(std::int64_t device_id) const {
    Query query(db(),
                "SELECT record_sha256 FROM recordings WHERE device_id = ? AND record_sha256 != '' "
                "ORDER BY id DESC LIMIT 1",
                "reading the latest record hash of device " + std::to_string(device_id));
    query.bind(device_id);
    return query.step() ? query.text(0) : std::string();
}

std::map<std::int64_t, std::string> Catalog::record_hashes() const {
    Query query(db(), "SELECT id, record_sha256 FROM recordings WHERE record_sha256 != ''",
                "reading the record hashes");
    std::map<std::int64_t, std::string> hashes;
    while (query.step()) hashes.emplace(query.integer(0), query.text(1));
    return hashes;
}

void Catalog::set_record_hash(std::int64_t id, const std::string& record_sha256_hex,
                              std::int64_t now) {
    const std::string doing = "recording the record hash of recording " + std::to_string(id);
    if (!is_sha256_hex(record_sha256_hex)) {
        db().fail(doing, "the record's SHA-256 is not 64 lower-case hex digits");
    }
    Transaction transaction(db(), doing);
    auto row = recording(id);
    if (!row || row->state == RecordingState::copying) {
        db().fail(doing, "the recording is not archived");
    }
    {
        Query current(db(), "SELECT record_sha256 FROM recordings WHERE id = ?", doing);
        current.bind(id);
        if (current.step() && !current.text(0).empty()) {
            db().fail(doing, "the recording has a record hash already");
        }
    }
    Query(db(), "UPDATE recordings SET record_sha256 = ? WHERE id = ?", doing)
        .bind(record_sha256_hex, id)
        .run();
    append_audit(AuditEvent{"recording.record_written", 0, "", id,
                            "record=" + record_sha256_hex +
                                "; written for a recording archived before records were kept"},
                 now, doing);
    transaction.commit();
}

void Catalog::restore_from_archive(const std::vector<DeviceRow>& devices,
                                   const std::vector<RestoredRecording>& recordings,
                                   const std::vector<AuditRow>& audit, const std::string& detail,
                                   std::int64_t now) {
    const std::string doing = "rebuilding the catalog from the archive";
    Transaction transaction(db(), doing);
    {
        Query count(db(),
                    "SELECT (SELECT count(*) FROM devices) + (SELECT count(*) FROM recordings) + "
                    "(SELECT count(*) FROM audit)",
                    doing, sqlite::Prepare::once);
        if (count.step() && count.integer(0) != 0) {
            db().fail(doing, "the catalog is not empty");
        }
    }
    for (const DeviceRow& device : devices) {
        Query(db(),
              "INSERT INTO devices (id, serial, manufacturer, model, firmware, first_seen, "
              "last_seen) VALUES (?, ?, ?, ?, ?, ?, ?)",
              doing, sqlite::Prepare::once)
            .bind(device.id, sanitize_text(device.serial, kMaxIdentityBytes),
                  sanitize_text(device.manufacturer, kMaxIdentityBytes),
                  sanitize_text(device.model, kMaxIdentityBytes),
                  sanitize_text(device.firmware, kMaxIdentityBytes), device.first_seen,
                  device.last_seen)
            .run();
    }
    for (const RestoredRecording& restored : recordings) {
        const RecordingRow& row = restored.row;
        if (row.key.name.size() > kMaxRecordingNameBytes || !is_sha256_hex(row.sha256_hex) ||
            !is_archive_relative_path(row.archive_path) ||
            row.key.size > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
            db().fail(doing, "recording " + std::to_string(row.id) + " is not valid");
        }
        Query(db(),
              "INSERT INTO recordings (id, device_id, handle, name, size, captured_unix_s, state, "
              "sha256, archive_path, archived_at, wiped_at, officer, camera_officer_id, "
              "attribution_disagrees, record_sha256) "
              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, 0, ?)",
              doing, sqlite::Prepare::once)
            .bind(row.id, row.key.device_id, static_cast<std::int64_t>(row.key.handle),
                  Blob{row.key.name}, static_cast<std::int64_t>(row.key.size),
                  row.key.captured_unix_s, to_string(row.state), row.sha256_hex, row.archive_path,
                  row.archived_at, row.wiped_at,
                  sanitize_text(row.camera_officer_id, kMaxIdentityBytes),
                  restored.record_sha256_hex)
            .run();
    }
    for (const AuditRow& row : audit) {
        Query(db(),
              "INSERT INTO audit (seq, at, event, bay, device_serial, recording_id, detail, "
              "prev_hash, hash, key_id, signature) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
              doing, sqlite::Prepare::once)
            .bind(row.seq, row.at, row.event, row.bay, row.device_serial, row.recording_id,
                  row.detail, row.prev_hash_hex, row.hash_hex, row.key_id, row.signature_hex)
            .run();
    }
    // The confidentiality marks are not in the archive's records: the audit log names each,
    // and they are set again from it, so that a rebuilt catalog withholds what the lost one did.
    replay_confidential_marks(audit, doing);
    append_audit(AuditEvent{"catalog.rebuilt", 0, "", 0, detail}, now, doing);
    transaction.commit();
}

}  // namespace cradle
