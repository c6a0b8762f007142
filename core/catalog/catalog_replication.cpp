// SPDX-License-Identifier: Apache-2.0
// The central archive's backlog (schema 6): which archived recordings are not yet confirmed in
// the object store, where their uploads stand, and the confirmation with its audit row; and how
// much of the audit journal the store holds.
#include "core/catalog/catalog_internal.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace cradle {

using namespace catalog_detail;
using sqlite::Query;
using sqlite::Transaction;

namespace {

constexpr std::size_t kMaxObjectKeyBytes = 1024;
constexpr std::size_t kMaxUploadIdBytes = 1024;
constexpr std::size_t kMaxReplicationErrorBytes = 512;

ReplicationRow read_replication(const Query& query, int first) {
    ReplicationRow row;
    row.recording_id = query.is_null(first) ? 0 : query.integer(first);
    row.object_key = query.text(first + 1);
    row.upload_id = query.text(first + 2);
    row.version_id = query.text(first + 3);
    row.attempts = static_cast<int>(query.integer(first + 4));
    row.next_attempt_at = query.integer(first + 5);
    row.last_error = query.text(first + 6);
    row.failed_at = query.integer(first + 7);
    row.replicated_at = query.integer(first + 8);
    return row;
}

// A key, an upload id or a version id as the store and the cradle write them: printable ASCII.
bool printable_token(const std::string& text, std::size_t max_bytes) {
    if (text.size() > max_bytes) return false;
    for (const char c : text) {
        if (c <= 0x20 || c >= 0x7f) return false;
    }
    return true;
}

}  // namespace

namespace {

// The recordings, with their records' hashes and their replication rows, as the query selects
// them: SELECT_REPLICATION_ITEMS, then its WHERE, ORDER BY and LIMIT. A string literal: the
// connection keeps each prepared statement under its SQL text for the process's life.
#define SELECT_REPLICATION_ITEMS                                                                 \
    "SELECT r.id, r.device_id, r.handle, r.name, r.size, r.captured_unix_s, r.state, r.sha256, " \
    "r.archive_path, r.archived_at, r.wiped_at, r.officer, r.camera_officer_id, "                \
    "r.attribution_disagrees, r.record_sha256, q.recording_id, q.object_key, q.upload_id, "      \
    "q.version_id, q.attempts, q.next_attempt_at, q.last_error, q.failed_at, q.replicated_at "   \
    "FROM recordings r LEFT JOIN replication q ON q.recording_id = r.id "

std::vector<ReplicationItem> read_replication_items(Query& query) {
    std::vector<ReplicationItem> items;
    while (query.step()) {
        ReplicationItem item;
        item.recording = read_recording(query);
        item.record_sha256_hex = query.text(14);
        item.progress = read_replication(query, 15);
        items.push_back(std::move(item));
    }
    return items;
}

std::int64_t bounded_limit(std::size_t limit) {
    return static_cast<std::int64_t>(
        std::min<std::size_t>(limit, static_cast<std::size_t>(std::numeric_limits<int>::max())));
}

}  // namespace

std::vector<ReplicationItem> Catalog::replication_due(std::int64_t now, std::size_t limit,
                                                      std::int64_t horizon) const {
    Query query(db(),
                SELECT_REPLICATION_ITEMS
                "WHERE r.state <> 'copying' AND coalesce(q.replicated_at, 0) = 0 "
                "AND (coalesce(q.next_attempt_at, 0) <= ? OR q.next_attempt_at > ?) "
                "ORDER BY r.archived_at, r.id LIMIT ?",
                "listing the recordings waiting for the central archive");
    query.bind(now, horizon, bounded_limit(limit));
    return read_replication_items(query);
}

void Catalog::reschedule_replication(std::int64_t at) {
    Query(db(),
          "UPDATE replication SET next_attempt_at = ? WHERE replicated_at = 0 AND "
          "next_attempt_at > ?",
          "making the central archive's backlog due")
        .bind(at, at)
        .run();
}

std::int64_t Catalog::next_replication_attempt_at() const {
    Query query(db(),
                "SELECT coalesce(min(next_attempt_at), 0) FROM replication "
                "WHERE replicated_at = 0 AND next_attempt_at > 0",
                "reading the central archive's backlog");
    return query.step() ? query.integer(0) : 0;
}

std::vector<ReplicationItem> Catalog::replicated_sample(std::size_t limit) const {
    Query query(db(),
                SELECT_REPLICATION_ITEMS
                "WHERE coalesce(q.replicated_at, 0) <> 0 ORDER BY random() LIMIT ?",
                "picking recordings confirmed in the central archive");
    query.bind(bounded_limit(limit));
    return read_replication_items(query);
}

std::optional<ReplicationRow> Catalog::replication(std::int64_t recording_id) const {
    Query query(
        db(),
        "SELECT recording_id, object_key, upload_id, version_id, attempts, "
        "next_attempt_at, last_error, failed_at, replicated_at FROM replication "
        "WHERE recording_id = ?",
        "reading the central archive's progress of recording " + std::to_string(recording_id));
    query.bind(recording_id);
    if (!query.step()) return std::nullopt;
    return read_replication(query, 0);
}

void Catalog::save_replication_progress(std::int64_t recording_id, const std::string& object_key,
                                        const std::string& upload_id) {
    const std::string doing =
        "saving the central archive's progress of recording " + std::to_string(recording_id);
    if (object_key.empty() || !printable_token(object_key, kMaxObjectKeyBytes) ||
        !printable_token(upload_id, kMaxUploadIdBytes)) {
        db().fail(doing, "the object key or upload id is not printable ASCII of a bounded size");
    }
    Transaction transaction(db(), doing);
    const auto row = recording(recording_id);
    if (!row || row->state == RecordingState::copying) {
        db().fail(doing, "the recording is not archived");
    }
    Query(db(),
          "INSERT INTO replication (recording_id, object_key, upload_id) VALUES (?, ?, ?) "
          "ON CONFLICT (recording_id) DO UPDATE SET object_key = excluded.object_key, "
          "upload_id = excluded.upload_id WHERE replicated_at = 0",
          doing)
        .bind(recording_id, object_key, upload_id)
        .run();
    transaction.commit();
}

void Catalog::note_replication_failure(std::int64_t recording_id, const std::string& error,
                                       std::int64_t now, std::int64_t next_attempt_at) {
    const std::string doing = "noting a failed upload of recording " + std::to_string(recording_id);
    Transaction transaction(db(), doing);
    const auto row = recording(recording_id);
    if (!row || row->state == RecordingState::copying) {
        db().fail(doing, "the recording is not archived");
    }
    Query(db(),
          "INSERT INTO replication (recording_id, attempts, next_attempt_at, last_error, "
          "failed_at) VALUES (?, 1, ?, ?, ?) ON CONFLICT (recording_id) DO UPDATE SET "
          "attempts = attempts + 1, next_attempt_at = excluded.next_attempt_at, "
          "last_error = excluded.last_error, failed_at = excluded.failed_at "
          "WHERE replicated_at = 0",
          doing)
        .bind(recording_id, next_attempt_at, sanitize_text(error, kMaxReplicationErrorBytes), now)
        .run();
    transaction.commit();
}

void Catalog::mark_replicated(std::int64_t recording_id, const std::string& object_key,
                              const std::string& version_id, std::int64_t now,
                              const AuditEvent& audit) {
    const std::string doing = "marking recording " + std::to_string(recording_id) + " replicated";
    if (object_key.empty() || !printable_token(object_key, kMaxObjectKeyBytes) ||
        !printable_token(version_id, kMaxUploadIdBytes)) {
        db().fail(doing, "the object key or version id is not printable ASCII of a bounded size");
    }
    Transaction transaction(db(), doing);
    const auto row = recording(recording_id);
    if (!row || row->state == RecordingState::copying) {
        db().fail(doing, "the recording is not archived");
    }
    if (const auto progress = replication(recording_id); progress && progress->replicated_at != 0) {
        db().fail(doing, "the recording is replicated already");
    }
    Query(db(),
          "INSERT INTO replication (recording_id, object_key, version_id, replicated_at) "
          "VALUES (?, ?, ?, ?) ON CONFLICT (recording_id) DO UPDATE SET "
          "object_key = excluded.object_key, version_id = excluded.version_id, "
          "replicated_at = excluded.replicated_at, upload_id = '', last_error = ''",
          doing)
        .bind(recording_id, object_key, version_id, now)
        .run();
    AuditEvent event = audit;
    if (event.event.empty()) event.event = "recording.replicated";
    event.recording_id = recording_id;
    append_audit(event, now, doing);
    transaction.commit();
}

std::vector<std::int64_t> Catalog::not_replicated(
    const std::vector<std::int64_t>& recording_ids) const {
    std::vector<std::int64_t> missing;
    Query query(db(), "SELECT replicated_at FROM replication WHERE recording_id = ?",
                "checking which recordings the central archive holds");
    for (const std::int64_t id : recording_ids) {
        query.bind(id);
        const bool replicated = query.step() && query.integer(0) != 0;
        if (!replicated) missing.push_back(id);
    }
    return missing;
}

ReplicationSummary Catalog::replication_summary() const {
    const std::string doing = "summing up the central archive's backlog";
    ReplicationSummary summary;
    {
        Query query(db(),
                    "SELECT count(*), coalesce(min(r.archived_at), 0), "
                    "coalesce(sum(coalesce(q.last_error, '') <> ''), 0) "
                    "FROM recordings r LEFT JOIN replication q ON q.recording_id = r.id "
                    "WHERE r.state <> 'copying' AND coalesce(q.replicated_at, 0) = 0",
                    doing);
        if (query.step()) {
            summary.waiting = query.integer(0);
            summary.oldest_waiting_since = query.integer(1);
            summary.failing = query.integer(2);
        }
    }
    {
        Query query(db(),
                    "SELECT count(*), coalesce(max(replicated_at), 0) FROM replication "
                    "WHERE replicated_at <> 0",
                    doing);
        if (query.step()) {
            summary.replicated = query.integer(0);
            summary.last_replicated_at = query.integer(1);
        }
    }
    {
        Query query(db(),
                    "SELECT last_error FROM replication WHERE last_error <> '' "
                    "ORDER BY failed_at DESC, recording_id DESC LIMIT 1",
                    doing);
        if (query.step()) summary.last_error = query.text(0);
    }
    return summary;
}

std::int64_t Catalog::journal_replicated_through() const {
    Query query(db(), "SELECT coalesce(max(last_seq), 0) FROM replication_journal",
                "reading how much of the audit journal the central archive holds");
    return query.step() ? query.integer(0) : 0;
}

void Catalog::mark_journal_replicated(std::int64_t first_seq, std::int64_t last_seq,
                                      const std::string& object_key, const std::string& version_id,
                                      std::int64_t now) {
    const std::string doing = "recording audit entries " + std::to_string(first_seq) + ".." +
                              std::to_string(last_seq) + " as held by the central archive";
    if (object_key.empty() || !printable_token(object_key, kMaxObjectKeyBytes) ||
        !printable_token(version_id, kMaxUploadIdBytes)) {
        db().fail(doing, "the object key or version id is not printable ASCII of a bounded size");
    }
    Transaction transaction(db(), doing);
    const std::int64_t through = journal_replicated_through();
    if (first_seq != through + 1 || last_seq < first_seq) {
        db().fail(doing, "the segment does not follow entry " + std::to_string(through));
    }
    {
        Query last(db(), "SELECT coalesce(max(seq), 0) FROM audit", doing);
        if (!last.step() || last_seq > last.integer(0)) {
            db().fail(doing, "the audit log has no entry " + std::to_string(last_seq));
        }
    }
    Query(db(),
          "INSERT INTO replication_journal (first_seq, last_seq, object_key, version_id, "
          "replicated_at) VALUES (?, ?, ?, ?, ?)",
          doing)
        .bind(first_seq, last_seq, object_key, version_id, now)
        .run();
    transaction.commit();
}

#undef SELECT_REPLICATION_ITEMS

}  // namespace cradle
