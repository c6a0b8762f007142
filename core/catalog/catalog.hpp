// SPDX-License-Identifier: Apache-2.0
// The catalog: what the cradle knows about devices, recordings, dock sessions, health checks,
// clock syncs, and the append-only, hash-chained audit log. One SQLite database in WAL mode
// with synchronous=FULL, a schema_version table and one migration function per step.
//
// Every state change of a recording, of the register and of the roster, and every readiness
// verdict the service gives (end_dock_with_verdict, record_recheck), is written in the same
// transaction as its audit row.
// Times are stored as UTC Unix seconds.
#pragma once

#include "core/catalog/catalog_error.hpp"

#include "common/utf8.hpp"

#include <compare>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace cradle {

class PublicKey;
class SigningKey;

namespace sqlite {
class Connection;
class ReadSnapshot;
}  // namespace sqlite

namespace catalog_detail {
struct State;
}  // namespace catalog_detail

struct DeviceRow {
    std::int64_t id = 0;
    std::string serial;  // sanitised printable text (see sanitize_text)
    std::string manufacturer;
    std::string model;
    std::string firmware;
    bool registered = false;
    std::string custodian;
    std::string officer;
    std::string head;
    std::int64_t first_seen = 0;
    std::int64_t last_seen = 0;
    // Taken out of service by a custodian. A retired camera that docks is still offloaded in
    // full, but its bay asks for the custodian.
    bool retired = false;
    std::int64_t retired_at = 0;
};

// Where a page of a list in time order starts: after the row of this time and id (the last
// row of the page before).
struct TimeKey {
    std::int64_t time = 0;
    std::int64_t id = 0;
};

// One change of a device's register entry (schema 3): what it became, what it was before, when,
// who made it and why. Written in the same transaction as the change and its audit row.
struct DeviceHistoryRow {
    std::int64_t id = 0;
    std::string serial;
    std::int64_t at = 0;
    std::string action;     // "registered", "reassigned", "changed", "retired", "reinstated"
    std::string custodian;  // the entry after the change
    std::string officer;
    std::string head;
    std::string previous_custodian;  // the entry before it ("" for a first registration)
    std::string previous_officer;
    std::string previous_head;
    std::string changed_by;  // "configuration", "uid 1000 (name)"
    std::string reason;      // free text, may be ""
};

// One recording as the camera presents it: where it was seen (the object handle) and what the
// camera says of it. None of this is identity: a camera may renumber its objects between docks,
// and two different recordings may share every field (two cameras presenting one serial, a
// camera whose clock and file counter were reset). A recording is one row by its device, name,
// size, capture time and SHA-256 once archived (schema 5), and only its bytes prove which
// archived recording an object on a camera is (I1).
struct RecordingKey {
    std::int64_t device_id = 0;
    std::uint32_t handle = 0;
    std::string name;  // raw bytes from the device (stored as a BLOB, never used as a path)
    std::uint64_t size = 0;
    std::int64_t captured_unix_s = 0;
};

enum class RecordingState {
    copying,   // a row exists so the id can name staging and archive files; not archived yet
    archived,  // the archive holds a verified copy; the camera may still hold it
    wiped,     // archived, and deleted from the camera
};
const char* to_string(RecordingState state) noexcept;

struct RecordingRow {
    std::int64_t id = 0;
    RecordingKey key;
    RecordingState state = RecordingState::copying;
    std::string sha256_hex;    // empty while copying
    std::string archive_path;  // relative to the archive root; empty while copying
    std::int64_t archived_at = 0;
    std::int64_t wiped_at = 0;
    // Whose footage it is (schema 4), fixed when the row is created: the officer whose
    // assignment was valid at the capture time ("pool"; "" when the device was not registered
    // then), the officer ID the camera reported at that dock ("" when none), and whether the
    // two name different officers (the roster maps IDs to names).
    std::string officer;
    std::string camera_officer_id;
    bool attribution_disagrees = false;
};

// What makes two archived recordings one (I3, schema 5): their device, name, size, capture time
// and SHA-256. The handle is no part of it: a reset camera reuses handles for other recordings,
// and a camera may renumber one recording between docks. Ordered, to key a map.
struct ArchivedRecordingKey {
    std::int64_t device_id = 0;
    std::string name;
    std::uint64_t size = 0;
    std::int64_t captured_unix_s = 0;
    std::string sha256_hex;

    auto operator<=>(const ArchivedRecordingKey&) const = default;
};

// The key of an archived (or wiped) row; a row being copied has no hash yet, hence no key.
inline ArchivedRecordingKey archived_key_of(const RecordingRow& row) {
    return {row.key.device_id, row.key.name, row.key.size, row.key.captured_unix_s, row.sha256_hex};
}

// One officer of the roster (schema 4): the ID a camera may report about its wearer, the name
// the register uses, and the team.
struct OfficerRow {
    std::string badge;  // unique
    std::string name;
    std::string team;
    std::int64_t updated_at = 0;
};

// One readiness verdict of a device (schema 4): at the end of each dock, and again whenever it
// changes while the camera stays in its bay (a charging camera that reaches the threshold).
struct ReadinessRow {
    std::string serial;
    std::int64_t dock_session_id = 0;
    std::int64_t at = 0;
    bool ready = false;
    std::string verdict;  // "ready for duty", "not ready: reasons", "needs custodian: ..."
};

// The devices and recordings marked confidential now (the catalog's ids).
struct ConfidentialMarks {
    std::set<std::int64_t> devices;
    std::set<std::int64_t> recordings;
    bool covers(const RecordingRow& row) const {
        return recordings.count(row.id) != 0 || devices.count(row.key.device_id) != 0;
    }
    bool empty() const { return devices.empty() && recordings.empty(); }
};

struct AuditRow {
    std::int64_t seq = 0;
    std::int64_t at = 0;
    std::string event;  // e.g. "recording.archived", "recording.wiped", "dock.start"
    int bay = 0;
    std::string device_serial;
    std::int64_t recording_id = 0;
    std::string detail;
    std::string prev_hash_hex;
    std::string hash_hex;  // SHA-256 over prev_hash and the row's fields (see audit_hash)
    // Schema 7 (audit_signatures.hpp): the signing key's id and its Ed25519 signature of the
    // hash, in hex; both empty for an entry written before the cradle had a key.
    std::string key_id;
    std::string signature_hex;
};

struct AuditEvent {
    std::string event;
    int bay = 0;
    std::string device_serial;
    std::int64_t recording_id = 0;
    std::string detail;
};

struct DockSessionRow {
    std::int64_t id = 0;
    std::int64_t device_id = 0;
    int bay = 0;
    std::int64_t started_at = 0;
    std::int64_t ended_at = 0;  // 0 while docked
    std::string outcome;        // "ready", "not ready: ...", "needs custodian: ...", "unplugged"
};

struct HealthCheckRow {
    std::int64_t dock_session_id = 0;
    std::int64_t at = 0;
    int battery_percent = 0;
    bool charging = false;
    std::string faults;  // "; "-joined
    std::uint64_t storage_total_bytes = 0;
    std::uint64_t storage_free_bytes = 0;
};

struct ClockSyncRow {
    std::int64_t dock_session_id = 0;
    std::int64_t at = 0;
    std::int64_t drift_ms = 0;  // camera clock minus cradle clock, measured before setting
    bool corrected = false;
    std::string note;  // why it was not corrected, if it was not
};

// How far one archived recording is on its way to the central archive (schema 6). A recording
// archived (or wiped) with no such row, or one not yet replicated, is in the backlog: the
// backlog is what the catalog holds, not a list kept beside it, so it survives any restart and
// takes in recordings archived before the central archive was configured.
struct ReplicationRow {
    std::int64_t recording_id = 0;
    std::string object_key;  // where it goes in the bucket; "" before the first attempt
    std::string upload_id;   // a multipart upload to resume; "" for none
    std::string version_id;  // the store's version of the object, once replicated
    int attempts = 0;        // failed attempts so far
    std::int64_t next_attempt_at = 0;
    std::string last_error;          // of the latest failed attempt; "" after a success
    std::int64_t failed_at = 0;      // when it failed
    std::int64_t replicated_at = 0;  // 0: not confirmed in the central archive
};

// One recording of the backlog, with what its upload needs.
struct ReplicationItem {
    RecordingRow recording;
    std::string record_sha256_hex;  // its metadata record's hash ("" for none)
    ReplicationRow progress;        // recording_id 0 when no attempt was made yet
};

// The backlog at a glance (cradlectl remote status).
struct ReplicationSummary {
    std::int64_t waiting = 0;               // archived, not yet confirmed in the central archive
    std::int64_t oldest_waiting_since = 0;  // archival time of the oldest of those (0: none)
    std::int64_t failing = 0;  // of those, with a failed attempt since the last success
    std::int64_t replicated = 0;
    std::int64_t last_replicated_at = 0;  // 0: never
    std::string last_error;               // the latest failed attempt's error ("" for none)
};

// One Catalog (one SQLite connection and its prepared statements) is used by one thread at a
// time. Any number of processes may read the file while one writes it.
class Catalog {
  public:
    static constexpr int kSchemaVersion = 8;

    // Opens (creating and migrating as needed). vfs names an SQLite VFS (tests use a fault
    // shim); nullptr is the default.
    explicit Catalog(const std::filesystem::path& file, const char* vfs = nullptr);
    // Opens an existing catalog read-only (cradlectl --state-dir). Never migrates or writes.
    static Catalog open_read_only(const std::filesystem::path& file);
    Catalog(Catalog&&) noexcept;
    Catalog& operator=(Catalog&&) noexcept;
    ~Catalog();

    int schema_version() const;

    // Devices. Identity fields are sanitised before they are stored.
    DeviceRow upsert_device(const std::string& serial, const std::string& manufacturer,
                            const std::string& model, const std::string& firmware,
                            std::int64_t now);
    std::optional<DeviceRow> find_device(const std::string& serial) const;
    std::vector<DeviceRow> devices() const;
    // A page of devices() (a D-Bus list's cursor): at most `count` devices whose serial sorts
    // after `after` ("" for the first page).
    std::vector<DeviceRow> devices_after(const std::string& after, std::uint32_t count) const;
    // Sets the register entry (custodian, officer, head) and marks the device registered;
    // creates the device row if the device has not been seen yet. Audited, naming changed_by
    // (who made the change: "configuration", "uid 1000 (name)"). An entry set to what it
    // already is is no change and writes nothing.
    // Each change is a history row: "registered" (first entry), "reassigned" (only the officer
    // changed), "changed", or "reinstated" (the device was retired; registering it again puts
    // it back in service).
    DeviceRow register_device(const std::string& serial, const std::string& custodian,
                              const std::string& officer, const std::string& head, std::int64_t now,
                              const std::string& changed_by = "configuration",
                              const std::string& reason = "");
    // Assigns a registered device to another officer ("pool" for none), keeping its custodian
    // and head. Throws CatalogError for a device that is unknown or not registered.
    DeviceRow assign_officer(const std::string& serial, const std::string& officer,
                             std::int64_t now, const std::string& changed_by,
                             const std::string& reason = "");
    // Takes a device out of service. Its entry and history stay; retiring a retired device is
    // no change and writes nothing. Throws CatalogError for an unknown device or an empty
    // reason.
    DeviceRow retire_device(const std::string& serial, const std::string& reason, std::int64_t now,
                            const std::string& changed_by);
    // The register changes of one device ("" for every device) made from `from` to `to`
    // inclusive (0 = open), oldest first.
    std::vector<DeviceHistoryRow> device_history(const std::string& serial = "",
                                                 std::int64_t from = 0, std::int64_t to = 0) const;
    // A page of device_history(serial, from, to): at most `count` changes after the change
    // `after` (by time, then id; none for the first page).
    std::vector<DeviceHistoryRow> device_history_after(const std::string& serial, std::int64_t from,
                                                       std::int64_t to,
                                                       std::optional<TimeKey> after,
                                                       std::uint32_t count) const;
    // Applies one [[register]] entry of the configuration file, unless the file said exactly
    // this at the last start: an edit of the file takes effect, while a change made since over
    // D-Bus is not undone by a restart. Returns whether the entry was applied.
    bool apply_configured_registration(const std::string& serial, const std::string& custodian,
                                       const std::string& officer, const std::string& head,
                                       std::int64_t now);

    // Recordings.
    // Inserts a `copying` row for a copy about to start (its id names the staging and archive
    // files); the row gets its attribution (see RecordingRow) from the register's history and
    // the roster. Which recording it is, is known once its bytes are: mark_archived refuses a
    // second row of the same device, name, size, capture time and SHA-256.
    RecordingRow begin_recording(const RecordingKey& key,
                                 const std::string& camera_officer_id = "");
    // The archived (or archived and wiped) recordings of sighting.device_id with the sighting's
    // name and capture time, and its size when size_known: what an object on the camera may be.
    // Candidates only, never proof: the object's bytes decide (I1). The handle is ignored.
    std::vector<RecordingRow> archived_lookalikes(const RecordingKey& sighting,
                                                  bool size_known = true) const;
    std::optional<RecordingRow> recording(std::int64_t id) const;
    std::vector<RecordingRow> recordings() const;
    std::vector<RecordingRow> recordings_in_state(RecordingState state) const;
    // Which recordings to list: of one device (every device when none is named), captured from
    // captured_from to captured_to inclusive (0: that end is open), and of those the `latest`
    // by capture time (0: all).
    struct RecordingFilter {
        std::optional<std::int64_t> device_id;
        std::int64_t captured_from = 0;
        std::int64_t captured_to = 0;
        std::uint32_t latest = 0;
        // A page instead (a D-Bus list's cursor): when `first` is not 0, the first `first`
        // recordings after `after` (by capture time, then id; none for the first page), and
        // `latest` is not used.
        std::optional<TimeKey> after;
        std::uint32_t first = 0;
    };
    // The recordings the filter picks, in any state, ordered by capture time and then id. The
    // filter is applied by SQLite (a device's rows through its index), so a listing reads only
    // what it shows.
    std::vector<RecordingRow> recordings_captured(const RecordingFilter& filter) const;
    // copying -> archived, with its audit row, in one transaction. record_sha256_hex: the
    // SHA-256 of the recording's metadata record in the archive (archive_record.hpp), "" for
    // none; kept so that the camera's next record can chain to it, and bound into the audit
    // row. archived_size: the bytes archived, for a recording whose size the camera could not
    // state (its row was begun with the bound); also bound into the audit row. Throws
    // CatalogError, writing nothing, when the device already has an archived recording of the
    // same name, size, capture time and SHA-256 (the same recording twice).
    void mark_archived(std::int64_t id, const std::string& sha256_hex,
                       const std::string& archive_path, std::int64_t now, const AuditEvent& audit,
                       const std::string& record_sha256_hex = "",
                       std::optional<std::uint64_t> archived_size = std::nullopt);
    // archived -> wiped, with its audit row, in one transaction.
    void mark_wiped(std::int64_t id, std::int64_t now, const AuditEvent& audit);
    // Removes a `copying` row (recovery of an interrupted copy). Archived rows are never removed.
    void forget_copying(std::int64_t id);

    // Dock sessions, health checks, clock syncs.
    std::int64_t begin_dock(std::int64_t device_id, int bay, std::int64_t now);
    // Ends a dock with its outcome and no verdict. The service ends its docks with
    // end_dock_with_verdict; this stays for the tests, which lay out docks as catalogs of
    // earlier versions hold them (ended with no readiness row, before schema 4) to check that
    // the reports and the verifier still read them.
    void end_dock(std::int64_t dock_id, std::int64_t now, const std::string& outcome);
    // Ends a dock with its verdict, in one transaction: the dock's outcome, the device's
    // readiness row (ready or not, the outcome as its verdict) and the audit event, all at
    // `now`. Throws CatalogError, writing nothing, for a dock that is unknown or has ended.
    void end_dock_with_verdict(std::int64_t dock_id, std::int64_t now, const std::string& outcome,
                               bool ready, const AuditEvent& audit);
    // Dock sessions left open by a crash are closed with outcome "interrupted".
    void close_open_docks(std::int64_t now);
    std::vector<DockSessionRow> dock_sessions() const;
    void add_health_check(const HealthCheckRow& row);
    void add_clock_sync(const ClockSyncRow& row);

    // Readiness verdicts, kept per device over time (the reports read them:
    // report_queries.hpp). One verdict on its own: the service writes verdicts only together
    // with their dock's end or a health reading (end_dock_with_verdict, record_recheck); this
    // stays for the tests, which lay out verdict histories the reports must read (a verdict of
    // no dock, verdicts of an earlier dock) and check how a verdict is stored.
    void add_readiness(const ReadinessRow& row);
    // A verdict changed by a health reading taken while the camera stayed in its bay (the
    // charging watch), in one transaction: the reading as a health check of its dock, the
    // readiness row and the audit event, all at `now`.
    void record_recheck(const HealthCheckRow& health, const ReadinessRow& readiness,
                        const AuditEvent& audit, std::int64_t now);

    // The officers' roster. Each listed officer is added or updated (an unlisted one stays);
    // audited, naming changed_by. Returns how many entries changed.
    std::size_t upsert_officers(const std::vector<OfficerRow>& officers, std::int64_t now,
                                const std::string& changed_by);
    std::vector<OfficerRow> officers() const;
    // A page of officers(): at most `count` officers whose badge sorts after `after` ("" for
    // the first page).
    std::vector<OfficerRow> officers_after(const std::string& after, std::uint32_t count) const;

    // ---- Confidentiality (schema 8, Art. 19) ----
    // Marks a device (all its recordings, those to come too) or one recording confidential, or
    // takes the mark back, with an audit entry naming the reason and changed_by, in one
    // transaction. Returns false, writing nothing, when the target already is as asked.
    // Throws CatalogError for an unknown target or an empty reason.
    bool mark_device_confidential(const std::string& serial, bool confidential,
                                  const std::string& reason, std::int64_t now,
                                  const std::string& changed_by);
    bool mark_recording_confidential(std::int64_t recording_id, bool confidential,
                                     const std::string& reason, std::int64_t now,
                                     const std::string& changed_by);
    // What is marked now.
    ConfidentialMarks confidential_marks() const;

    // Audit log: append-only, each row chained to the previous one by SHA-256.
    void audit(const AuditEvent& event, std::int64_t now);
    std::vector<AuditRow> audit_rows() const;
    // When the latest entry whose event starts with `event_prefix` was written (0: none).
    std::int64_t latest_audit_at(const std::string& event_prefix) const;
    // The newest row (the chain's head); nullopt for an empty log.
    std::optional<AuditRow> last_audit_row() const;
    // The rows after `seq`, in order, at most `limit` of them.
    std::vector<AuditRow> audit_rows_after(std::int64_t seq, std::size_t limit) const;
    // The hash a row must carry, given the previous row's hash.
    static std::string audit_hash(const AuditRow& row);

    // ---- The audit log's signatures (schema 7, audit_signatures.hpp) ----
    // The key that signs every audit row appended from now on (null: rows go unsigned, as in a
    // catalog opened by a tool without the key).
    void set_signer(std::shared_ptr<const SigningKey> key);
    // The key the log names last (its "identity.key_created" entry or its latest rotation):
    // the key the next entry must be signed with. nullopt: the log names none.
    std::optional<PublicKey> signing_key_of_log() const;
    // Appends "identity.key_rotated", signed by the current key and naming `next`, and signs
    // every row after it with `next`. Throws CatalogError, writing nothing, when the catalog
    // has no signer or the log names another key than the signer's.
    void rotate_signing_key(std::shared_ptr<const SigningKey> next, const std::string& reason,
                            std::int64_t now);

    // ---- The archive's record and journal (schema 5, invariant I6) ----
    // The record hash of the device's latest recording that has one ("" for none): what the
    // device's next record chains to.
    std::string last_record_hash(std::int64_t device_id) const;
    // Record hashes by recording id (recordings without a record are left out).
    std::map<std::int64_t, std::string> record_hashes() const;
    // Gives an archived recording of an earlier version, which has none, its record's hash,
    // with an audit row ("recording.record_written"), in one transaction. Throws CatalogError,
    // writing nothing, when the recording is not archived or wiped, or has a record hash.
    void set_record_hash(std::int64_t id, const std::string& record_sha256_hex, std::int64_t now);
    // Called after each commit that appended audit rows, with those rows, in order (never for a
    // transaction that rolled back). The daemon journals them into the archive. The sink must
    // not throw and must not use this Catalog. Empty: none.
    void set_audit_sink(std::function<void(const std::vector<AuditRow>&)> sink);

    // What a catalog file holds, read without creating or migrating anything (the start-up
    // check of catalog_guard.hpp): the last audit seq (0 when there is no audit log) and the
    // hash of entry `seq` ("" when there is none). Throws CatalogError for a file SQLite cannot
    // read as a database.
    struct AuditPeek {
        std::int64_t last_seq = 0;
        std::string hash_at_seq;
    };
    static AuditPeek peek_audit(const std::filesystem::path& file, std::int64_t seq,
                                const char* vfs = nullptr);

    // cradlectl rebuild-catalog: fills a fresh catalog (no devices, recordings or audit rows
    // yet) from the archive, in one transaction: the devices and recordings as given (ids kept),
    // the audit rows verbatim (they keep their chain), then one chained "catalog.rebuilt" row
    // with `detail`. Throws CatalogError, writing nothing, when the catalog is not empty.
    struct RestoredRecording {
        RecordingRow row;
        std::string record_sha256_hex;
    };
    void restore_from_archive(const std::vector<DeviceRow>& devices,
                              const std::vector<RestoredRecording>& recordings,
                              const std::vector<AuditRow>& audit, const std::string& detail,
                              std::int64_t now);

    // ---- The central archive's backlog (schema 6) ----
    // Archived or wiped recordings not yet confirmed in the central archive whose next attempt
    // is due at `now`, oldest archival first, at most `limit` of them. An attempt set for later
    // than `horizon` (no back-off is that long) was set by a clock that was ahead and has been
    // put right since: it is due as well.
    std::vector<ReplicationItem> replication_due(
        std::int64_t now, std::size_t limit,
        std::int64_t horizon = std::numeric_limits<std::int64_t>::max()) const;
    // Every recording waiting for the central archive is due at `at` (a start tries them all at
    // once, whatever their back-off).
    void reschedule_replication(std::int64_t at);
    // The earliest next attempt set for a waiting recording (0: none set).
    std::int64_t next_replication_attempt_at() const;
    // Where an attempt stands: the recording's object key and the multipart upload in progress
    // ("" for none), kept so that an upload cut by a restart resumes instead of starting over.
    void save_replication_progress(std::int64_t recording_id, const std::string& object_key,
                                   const std::string& upload_id);
    // A failed attempt at `now`: its error (bounded, sanitised) and when to try again.
    void note_replication_failure(std::int64_t recording_id, const std::string& error,
                                  std::int64_t now, std::int64_t next_attempt_at);
    // Confirmed in the central archive (its size and SHA-256 read back from the store), with
    // the audit row, in one transaction. Throws CatalogError, writing nothing, for a recording
    // that is not archived or wiped, or is replicated already.
    void mark_replicated(std::int64_t recording_id, const std::string& object_key,
                         const std::string& version_id, std::int64_t now, const AuditEvent& audit);
    std::optional<ReplicationRow> replication(std::int64_t recording_id) const;
    // Up to `limit` recordings confirmed in the central archive, picked at random (the remote
    // audit's sample).
    std::vector<ReplicationItem> replicated_sample(std::size_t limit) const;
    // Of `recording_ids`, those not confirmed in the central archive (in the order given).
    std::vector<std::int64_t> not_replicated(const std::vector<std::int64_t>& recording_ids) const;
    ReplicationSummary replication_summary() const;
    // The audit journal in the central archive: the last audit seq confirmed there (0: none),
    // and a segment of entries first_seq..last_seq confirmed under object_key. A segment must
    // follow the last one without a gap or an overlap, and end at an entry the audit log holds
    // (CatalogError otherwise).
    std::int64_t journal_replicated_through() const;
    void mark_journal_replicated(std::int64_t first_seq, std::int64_t last_seq,
                                 const std::string& object_key, const std::string& version_id,
                                 std::int64_t now);

    // SQLite's own consistency checks (integrity_check, foreign_key_check): one line per
    // problem, empty when the database file is sound. Read-only.
    std::vector<std::string> check_integrity() const;

    // A consistent read of the catalog (one read transaction) for queries kept outside this
    // class: the reports' facts (report_queries.cpp). It only reads; `doing` names the work in
    // error messages.
    sqlite::ReadSnapshot read_snapshot(std::string doing) const;

  private:
    Catalog() = default;
    // The connection: the class is one thread's at a time (see above), so const methods read
    // through it too.
    sqlite::Connection& db() const;
    // register_device's work; the caller holds the write transaction.
    DeviceRow register_in_transaction(const std::string& clean_serial,
                                      const std::string& clean_custodian,
                                      const std::string& clean_officer,
                                      const std::string& clean_head, std::int64_t now,
                                      const std::string& changed_by, const std::string& doing,
                                      const std::string& reason = "");
    // The officer a device was assigned to at `at` (see RecordingRow); inside a transaction.
    std::string officer_at(std::int64_t device_id, std::int64_t at, const std::string& doing) const;
    // Whether a camera's officer ID is known to name another officer than the register's
    // `officer`: not the same text (ignoring case and surrounding spaces), and either the roster
    // maps the ID to another name, or the roster knows `officer` (under another badge) and not
    // the ID. An ID nothing can be said about is no disagreement.
    bool names_other_officer(const std::string& officer, const std::string& camera_officer_id,
                             const std::string& doing) const;
    // Appends one history row; the caller holds the write transaction.
    void append_history(const DeviceHistoryRow& row, const std::string& doing);
    // Row writers of the methods above; the caller holds the write transaction (or writes one
    // row alone). end_dock_in_transaction returns the dock's device.
    std::int64_t end_dock_in_transaction(std::int64_t dock_id, std::int64_t now,
                                         const std::string& outcome, const std::string& doing);
    void insert_health_check(const HealthCheckRow& row, const std::string& doing);
    void insert_readiness(std::int64_t device_id, std::int64_t dock_session_id, std::int64_t at,
                          bool ready, const std::string& verdict, const std::string& doing);
    std::int64_t device_id_of(const std::string& clean_serial, const std::string& doing) const;
    // Appends one chained audit row; the caller holds the write transaction.
    void append_audit(const AuditEvent& event, std::int64_t now, const std::string& doing);
    // restore_from_archive: the marks the audit rows name, in their order, as rows of
    // confidential_marks (the caller holds the write transaction).
    void replay_confidential_marks(const std::vector<AuditRow>& audit, const std::string& doing);

    std::unique_ptr<catalog_detail::State> state_;
};

}  // namespace cradle
