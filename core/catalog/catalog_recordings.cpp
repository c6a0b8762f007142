// SPDX-License-Identifier: Apache-2.0
// Recordings: the row of a copy about to start, its passage to archived and to wiped (each with
// its audit row), what an object on a camera may be, and the lists of recordings.
#include "core/catalog/catalog_internal.hpp"

#include "common/text.hpp"

#include "core/archive/archive_path.hpp"

#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace cradle {

using namespace catalog_detail;
using sqlite::Blob;
using sqlite::Query;
using sqlite::Transaction;

RecordingRow Catalog::begin_recording(const RecordingKey& key,
                                      const std::string& camera_officer_id) {
    std::string doing = "recording the start of a copy from device " +
                        std::to_string(key.device_id) + " (handle " + std::to_string(key.handle) +
                        ")";
    if (key.name.size() > kMaxRecordingNameBytes) {
        db().fail(doing, "the recording name is longer than the catalog keeps");
    }
    if (key.size > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        db().fail(doing, "the recording size is out of range");
    }
    const std::string clean_camera_officer_id =
        sanitize_text(trimmed(camera_officer_id), kMaxIdentityBytes);
    Transaction transaction(db(), doing);
    const std::string officer = officer_at(key.device_id, key.captured_unix_s, doing);
    // The camera's ID is read at the dock, so it may already be that of the officer the camera
    // is assigned to now: it disagrees only if it names neither of them.
    const bool disagrees =
        !clean_camera_officer_id.empty() && !officer.empty() && badge_key(officer) != "pool" &&
        names_other_officer(officer, clean_camera_officer_id, doing) &&
        names_other_officer(
            officer_at(key.device_id, std::numeric_limits<std::int64_t>::max(), doing),
            clean_camera_officer_id, doing);
    Query(db(),
          "INSERT INTO recordings (device_id, handle, name, size, captured_unix_s, state, "
          "officer, camera_officer_id, attribution_disagrees) "
          "VALUES (?, ?, ?, ?, ?, 'copying', ?, ?, ?)",
          doing)
        .bind(key.device_id, static_cast<std::int64_t>(key.handle), Blob{key.name},
              static_cast<std::int64_t>(key.size), key.captured_unix_s, officer,
              clean_camera_officer_id, disagrees ? 1 : 0)
        .run();
    auto row = recording(db().last_insert_rowid());
    transaction.commit();
    if (!row) db().fail(doing, "the row vanished after it was written");
    return *row;
}

std::vector<RecordingRow> Catalog::archived_lookalikes(const RecordingKey& sighting,
                                                       bool size_known) const {
    Query query(db(),
                "SELECT id, device_id, handle, name, size, captured_unix_s, state, sha256, "
                "archive_path, archived_at, wiped_at, officer, camera_officer_id, "
                "attribution_disagrees FROM recordings WHERE device_id = ? AND name = ? AND "
                "captured_unix_s = ? AND state <> 'copying' AND (? = 0 OR size = ?) ORDER BY id",
                "looking up the archived recordings of device " +
                    std::to_string(sighting.device_id) + " like one on the camera");
    query.bind(sighting.device_id, Blob{sighting.name}, sighting.captured_unix_s,
               size_known ? 1 : 0, static_cast<std::int64_t>(sighting.size));
    std::vector<RecordingRow> rows;
    while (query.step()) rows.push_back(read_recording(query));
    return rows;
}

std::optional<RecordingRow> Catalog::recording(std::int64_t id) const {
    Query query(db(),
                "SELECT id, device_id, handle, name, size, captured_unix_s, state, sha256, "
                "archive_path, archived_at, wiped_at, officer, camera_officer_id, "
                "attribution_disagrees FROM recordings WHERE id = ?",
                "looking up recording " + std::to_string(id));
    query.bind(id);
    if (!query.step()) return std::nullopt;
    return read_recording(query);
}

std::vector<RecordingRow> Catalog::recordings() const {
    Query query(db(),
                "SELECT id, device_id, handle, name, size, captured_unix_s, state, sha256, "
                "archive_path, archived_at, wiped_at, officer, camera_officer_id, "
                "attribution_disagrees FROM recordings ORDER BY id",
                "listing recordings");
    std::vector<RecordingRow> rows;
    while (query.step()) rows.push_back(read_recording(query));
    return rows;
}

std::vector<RecordingRow> Catalog::recordings_in_state(RecordingState state) const {
    Query query(db(),
                "SELECT id, device_id, handle, name, size, captured_unix_s, state, sha256, "
                "archive_path, archived_at, wiped_at, officer, camera_officer_id, "
                "attribution_disagrees FROM recordings WHERE state = ? ORDER BY id",
                std::string("listing ") + to_string(state) + " recordings");
    query.bind(to_string(state));
    std::vector<RecordingRow> rows;
    while (query.step()) rows.push_back(read_recording(query));
    return rows;
}

std::vector<RecordingRow> Catalog::recordings_captured(const RecordingFilter& filter) const {
    // The latest `latest` by capture time, then put back in capture order; or a page, the
    // first `first` after a row. A device's listing is a lookup in an index that starts with
    // the device (recordings_by_sighting) rather than a scan, so each is its own statement.
    static constexpr const char* kOfDevice =
        "SELECT * FROM (SELECT id, device_id, handle, name, size, captured_unix_s, state, sha256, "
        "archive_path, archived_at, wiped_at, officer, camera_officer_id, attribution_disagrees "
        "FROM recordings WHERE device_id = ?1 AND (?2 = 0 OR captured_unix_s >= ?2) "
        "AND (?3 = 0 OR captured_unix_s <= ?3) "
        "ORDER BY captured_unix_s DESC, id DESC LIMIT ?4) ORDER BY captured_unix_s, id";
    static constexpr const char* kOfEveryDevice =
        "SELECT * FROM (SELECT id, device_id, handle, name, size, captured_unix_s, state, sha256, "
        "archive_path, archived_at, wiped_at, officer, camera_officer_id, attribution_disagrees "
        "FROM recordings WHERE (?2 = 0 OR captured_unix_s >= ?2) "
        "AND (?3 = 0 OR captured_unix_s <= ?3) "
        "ORDER BY captured_unix_s DESC, id DESC LIMIT ?4) ORDER BY captured_unix_s, id";
    static constexpr const char* kPageOfDevice =
        "SELECT id, device_id, handle, name, size, captured_unix_s, state, sha256, "
        "archive_path, archived_at, wiped_at, officer, camera_officer_id, attribution_disagrees "
        "FROM recordings WHERE device_id = ?1 AND (?2 = 0 OR captured_unix_s >= ?2) "
        "AND (?3 = 0 OR captured_unix_s <= ?3) "
        "AND (?5 = 0 OR (captured_unix_s, id) > (?6, ?7)) "
        "ORDER BY captured_unix_s, id LIMIT ?4";
    static constexpr const char* kPageOfEveryDevice =
        "SELECT id, device_id, handle, name, size, captured_unix_s, state, sha256, "
        "archive_path, archived_at, wiped_at, officer, camera_officer_id, attribution_disagrees "
        "FROM recordings WHERE (?2 = 0 OR captured_unix_s >= ?2) "
        "AND (?3 = 0 OR captured_unix_s <= ?3) "
        "AND (?5 = 0 OR (captured_unix_s, id) > (?6, ?7)) "
        "ORDER BY captured_unix_s, id LIMIT ?4";
    const bool page = filter.first != 0;
    const char* sql = filter.device_id ? (page ? kPageOfDevice : kOfDevice)
                                       : (page ? kPageOfEveryDevice : kOfEveryDevice);
    Query query(db(), sql, "listing recordings");
    // A negative LIMIT is no limit.
    const std::int64_t limit = page                 ? static_cast<std::int64_t>(filter.first)
                               : filter.latest == 0 ? -1
                                                    : static_cast<std::int64_t>(filter.latest);
    if (page) {
        query.bind(filter.device_id.value_or(0), filter.captured_from, filter.captured_to, limit,
                   static_cast<std::int64_t>(filter.after.has_value()),
                   filter.after ? filter.after->time : 0, filter.after ? filter.after->id : 0);
    } else {
        query.bind(filter.device_id.value_or(0), filter.captured_from, filter.captured_to, limit);
    }
    std::vector<RecordingRow> rows;
    while (query.step()) rows.push_back(read_recording(query));
    return rows;
}

namespace {
// The state a transition starts from; throws if the row is missing or elsewhere.
void require_state(const std::optional<RecordingRow>& row, std::int64_t id, RecordingState expected,
                   const sqlite::Connection& db, const std::string& doing) {
    if (!row) db.fail(doing, "there is no recording " + std::to_string(id));
    if (row->state != expected) {
        db.fail(doing, "recording " + std::to_string(id) + " is " + to_string(row->state) +
                           ", not " + to_string(expected));
    }
}
}  // namespace

void Catalog::mark_archived(std::int64_t id, const std::string& sha256_hex,
                            const std::string& archive_path, std::int64_t now,
                            const AuditEvent& audit, const std::string& record_sha256_hex,
                            std::optional<std::uint64_t> archived_size) {
    std::string doing = "marking recording " + std::to_string(id) + " archived";
    if (archived_size &&
        *archived_size > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        db().fail(doing, "the recording size is out of range");
    }
    if (!is_sha256_hex(sha256_hex)) {
        db().fail(doing, "the SHA-256 is not 64 lower-case hex digits");
    }
    if (!record_sha256_hex.empty() && !is_sha256_hex(record_sha256_hex)) {
        db().fail(doing, "the record's SHA-256 is not 64 lower-case hex digits");
    }
    if (archive_path.size() > kMaxArchivePathBytes || !is_archive_relative_path(archive_path)) {
        db().fail(doing, "the archive path '" + sanitize_text(archive_path) +
                             "' is not a plain relative path");
    }
    Transaction transaction(db(), doing);
    const auto row = recording(id);
    require_state(row, id, RecordingState::copying, db(), doing);
    if (archived_size && *archived_size > row->key.size) {
        db().fail(doing, "the archived size is larger than the bound the copy was begun with");
    }
    RecordingKey archived_key = row->key;
    if (archived_size) archived_key.size = *archived_size;
    for (const RecordingRow& other : archived_lookalikes(archived_key)) {
        if (other.sha256_hex == sha256_hex) {
            db().fail(doing, "the same recording is archived already as recording " +
                                 std::to_string(other.id));
        }
    }
    Query(db(),
          "UPDATE recordings SET state = 'archived', sha256 = ?, archive_path = ?, "
          "archived_at = ? WHERE id = ?",
          doing)
        .bind(sha256_hex, archive_path, now, id)
        .run();
    if (!record_sha256_hex.empty()) {
        Query(db(), "UPDATE recordings SET record_sha256 = ? WHERE id = ?", doing)
            .bind(record_sha256_hex, id)
            .run();
    }
    if (archived_size) {
        Query(db(), "UPDATE recordings SET size = ? WHERE id = ?", doing)
            .bind(static_cast<std::int64_t>(*archived_size), id)
            .run();
    }
    // The hash and the path go into the chained log so that neither can be changed in the
    // recordings table unnoticed.
    AuditEvent event = audit;
    if (event.event.empty()) event.event = "recording.archived";
    event.recording_id = id;
    std::string binding = "sha256=" + sha256_hex + "; path=" + archive_path;
    if (!record_sha256_hex.empty()) binding += "; record=" + record_sha256_hex;
    if (archived_size) binding += "; size=" + std::to_string(*archived_size);
    event.detail = event.detail.empty() ? binding : binding + "; " + event.detail;
    append_audit(event, now, doing);
    transaction.commit();
}

void Catalog::mark_wiped(std::int64_t id, std::int64_t now, const AuditEvent& audit) {
    std::string doing = "marking recording " + std::to_string(id) + " wiped";
    Transaction transaction(db(), doing);
    require_state(recording(id), id, RecordingState::archived, db(), doing);
    Query(db(), "UPDATE recordings SET state = 'wiped', wiped_at = ? WHERE id = ?", doing)
        .bind(now, id)
        .run();
    AuditEvent event = audit;
    if (event.event.empty()) event.event = "recording.wiped";
    event.recording_id = id;
    append_audit(event, now, doing);
    transaction.commit();
}

void Catalog::forget_copying(std::int64_t id) {
    std::string doing = "forgetting the interrupted copy of recording " + std::to_string(id);
    Transaction transaction(db(), doing);
    auto row = recording(id);
    if (!row) {
        // Already gone: recovery may run more than once.
        transaction.commit();
        return;
    }
    // Proof (I1): only a row still `copying` is forgotten. Such a row names bytes that were never
    // verified into the archive, so the camera still holds the recording (a copying row is never
    // wiped); an archived or wiped row is refused here and again by the statement's own guard.
    require_state(row, id, RecordingState::copying, db(), doing);
    Query(db(), "DELETE FROM recordings WHERE id = ? AND state = 'copying'", doing).bind(id).run();
    transaction.commit();
}

}  // namespace cradle
