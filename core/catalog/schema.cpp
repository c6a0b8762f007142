// SPDX-License-Identifier: Apache-2.0
#include "core/catalog/schema.hpp"

#include "core/catalog/catalog.hpp"

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

namespace cradle::schema {

namespace {

// ---- Schema -------------------------------------------------------------------------------
//
// One function per version step. A step that has shipped is never edited: a catalog in the
// field was built by it. A new schema is a new step appended to kMigrations. What two steps
// write alike is written once, just below, and is part of each step that uses it: it is never
// edited either.

// The columns version 1 gave the recordings table. Version 5 rebuilds the table with them first,
// as they were.
constexpr std::string_view kRecordingsColumnsOfVersion1 = R"sql(
    id INTEGER PRIMARY KEY,
    device_id INTEGER NOT NULL REFERENCES devices (id),
    handle INTEGER NOT NULL,
    name BLOB NOT NULL,
    size INTEGER NOT NULL,
    captured_unix_s INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('copying', 'archived', 'wiped')),
    sha256 TEXT NOT NULL DEFAULT '',
    archive_path TEXT NOT NULL DEFAULT '',
    archived_at INTEGER NOT NULL DEFAULT 0,
    wiped_at INTEGER NOT NULL DEFAULT 0,
)sql";

// The indexes of the recordings table that versions 1 and 4 made. Version 5 drops the table, and
// its indexes with it, and makes them again.
constexpr std::string_view kRecordingsIndexOfVersion1 = R"sql(
CREATE INDEX recordings_by_state ON recordings (state);
)sql";
constexpr std::string_view kRecordingsIndexesOfVersion4 = R"sql(
CREATE INDEX recordings_by_device_archived ON recordings (device_id, archived_at);
CREATE INDEX recordings_by_archived ON recordings (archived_at);
CREATE INDEX recordings_by_wiped ON recordings (wiped_at);
CREATE INDEX recordings_by_device_wiped ON recordings (device_id, wiped_at);
CREATE INDEX recordings_disagreeing ON recordings (captured_unix_s)
    WHERE attribution_disagrees = 1;
)sql";

// The triggers by which the database itself refuses to change or delete a row of an append-only
// table; `entries` names its rows in the refusal ("audit entries are append-only").
std::string append_only(std::string_view table, std::string_view entries) {
    const std::string name(table);
    const std::string refusal =
        "\nBEGIN\n    SELECT RAISE(ABORT, '" + std::string(entries) + " are append-only');\nEND;\n";
    return "CREATE TRIGGER " + name + "_no_update BEFORE UPDATE ON " + name + refusal +
           "CREATE TRIGGER " + name + "_no_delete BEFORE DELETE ON " + name + refusal;
}

void migrate_to_1(sqlite::Connection& db) {
    std::string sql = R"sql(
CREATE TABLE devices (
    id INTEGER PRIMARY KEY,
    serial TEXT NOT NULL UNIQUE,
    manufacturer TEXT NOT NULL DEFAULT '',
    model TEXT NOT NULL DEFAULT '',
    firmware TEXT NOT NULL DEFAULT '',
    registered INTEGER NOT NULL DEFAULT 0 CHECK (registered IN (0, 1)),
    custodian TEXT NOT NULL DEFAULT '',
    officer TEXT NOT NULL DEFAULT '',
    head TEXT NOT NULL DEFAULT '',
    first_seen INTEGER NOT NULL DEFAULT 0,
    last_seen INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE recordings ()sql";
    sql += kRecordingsColumnsOfVersion1;
    sql += R"sql(    UNIQUE (device_id, handle, name, size, captured_unix_s)
);)sql";
    sql += kRecordingsIndexOfVersion1;
    sql += R"sql(
CREATE TABLE dock_sessions (
    id INTEGER PRIMARY KEY,
    device_id INTEGER NOT NULL REFERENCES devices (id),
    bay INTEGER NOT NULL,
    started_at INTEGER NOT NULL,
    ended_at INTEGER,
    outcome TEXT NOT NULL DEFAULT ''
);
CREATE INDEX dock_sessions_open ON dock_sessions (ended_at) WHERE ended_at IS NULL;

CREATE TABLE health_checks (
    id INTEGER PRIMARY KEY,
    dock_session_id INTEGER NOT NULL REFERENCES dock_sessions (id),
    at INTEGER NOT NULL,
    battery_percent INTEGER NOT NULL,
    charging INTEGER NOT NULL CHECK (charging IN (0, 1)),
    faults TEXT NOT NULL,
    storage_total_bytes INTEGER NOT NULL,
    storage_free_bytes INTEGER NOT NULL
);

CREATE TABLE clock_syncs (
    id INTEGER PRIMARY KEY,
    dock_session_id INTEGER NOT NULL REFERENCES dock_sessions (id),
    at INTEGER NOT NULL,
    drift_ms INTEGER NOT NULL,
    corrected INTEGER NOT NULL CHECK (corrected IN (0, 1)),
    note TEXT NOT NULL
);

CREATE TABLE audit (
    seq INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    event TEXT NOT NULL,
    bay INTEGER NOT NULL,
    device_serial TEXT NOT NULL,
    recording_id INTEGER NOT NULL,
    detail TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_by_recording ON audit (recording_id, event);
)sql";
    // The audit log is append-only: the database itself refuses to change or drop an entry.
    sql += append_only("audit", "audit entries");
    db.exec(sql.c_str(), "creating the schema of version 1");
}

// Version 2: what the configuration file last said of each registered device, so that a change
// made over D-Bus survives a restart and an edit of the file still takes effect.
void migrate_to_2(sqlite::Connection& db) {
    static constexpr const char* kSql = R"sql(
CREATE TABLE register_from_configuration (
    serial TEXT PRIMARY KEY,
    custodian TEXT NOT NULL,
    officer TEXT NOT NULL,
    head TEXT NOT NULL
);
)sql";
    db.exec(kSql, "creating the schema of version 2");
}

// Version 3: the register's history (one dated row per change, naming who made it and what the
// entry was before), and retirement of devices. The history is append-only like the audit log.
// Registers of earlier versions have no history rows: their past is in the audit log only.
void migrate_to_3(sqlite::Connection& db) {
    std::string sql = R"sql(
ALTER TABLE devices ADD COLUMN retired INTEGER NOT NULL DEFAULT 0 CHECK (retired IN (0, 1));
ALTER TABLE devices ADD COLUMN retired_at INTEGER NOT NULL DEFAULT 0;

CREATE TABLE device_history (
    id INTEGER PRIMARY KEY,
    serial TEXT NOT NULL,
    at INTEGER NOT NULL,
    action TEXT NOT NULL
        CHECK (action IN ('registered', 'reassigned', 'changed', 'retired', 'reinstated')),
    custodian TEXT NOT NULL,
    officer TEXT NOT NULL,
    head TEXT NOT NULL,
    previous_custodian TEXT NOT NULL,
    previous_officer TEXT NOT NULL,
    previous_head TEXT NOT NULL,
    changed_by TEXT NOT NULL,
    reason TEXT NOT NULL
);
CREATE INDEX device_history_by_serial ON device_history (serial, at);
CREATE INDEX device_history_by_time ON device_history (at);

)sql";
    sql += append_only("device_history", "register history entries");
    db.exec(sql.c_str(), "creating the schema of version 3");
}

// Version 4: whose footage each recording is (the officer assigned at its capture time, the
// officer ID the camera reported, and whether the two disagree), the officers' roster, the
// readiness verdicts of each device over time, and the indexes the reports read by. Recordings
// of earlier versions have no attribution: '' / '' / 0.
void migrate_to_4(sqlite::Connection& db) {
    std::string sql = R"sql(
ALTER TABLE recordings ADD COLUMN officer TEXT NOT NULL DEFAULT '';
ALTER TABLE recordings ADD COLUMN camera_officer_id TEXT NOT NULL DEFAULT '';
ALTER TABLE recordings ADD COLUMN attribution_disagrees INTEGER NOT NULL DEFAULT 0
    CHECK (attribution_disagrees IN (0, 1));

-- A camera reports an ID in whatever case it likes: IDs compare ignoring ASCII case.
CREATE TABLE officers (
    id INTEGER PRIMARY KEY,
    badge TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name TEXT NOT NULL,
    team TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX officers_by_name ON officers (name COLLATE NOCASE);

CREATE TABLE readiness (
    id INTEGER PRIMARY KEY,
    device_id INTEGER NOT NULL REFERENCES devices (id),
    dock_session_id INTEGER REFERENCES dock_sessions (id),
    at INTEGER NOT NULL,
    ready INTEGER NOT NULL CHECK (ready IN (0, 1)),
    verdict TEXT NOT NULL
);
CREATE INDEX readiness_by_device ON readiness (device_id, at);

)sql";
    // A verdict once given is a record of what the cradle said; it is never rewritten.
    sql += append_only("readiness", "readiness verdicts");
    sql += R"sql(
CREATE INDEX dock_sessions_by_device ON dock_sessions (device_id, started_at);
CREATE INDEX dock_sessions_by_start ON dock_sessions (started_at);)sql";
    sql += kRecordingsIndexesOfVersion4;
    sql += R"sql(CREATE INDEX health_checks_by_dock ON health_checks (dock_session_id, at);
CREATE INDEX clock_syncs_by_dock ON clock_syncs (dock_session_id, at);
)sql";
    db.exec(sql.c_str(), "creating the schema of version 4");
}

// Version 5: a recording is known by its content, not by the camera's object handle. A camera
// may renumber its objects between docks, and two different recordings may share a handle, a
// name, a size and a capture time (two cameras presenting one serial, a camera whose clock and
// file counter were reset). The handle stays as where the object was last seen; what is one
// recording is its device, name, size, capture time and SHA-256, once archived (mark_archived
// refuses a second row; a catalog of version 4 may hold such pairs from a camera that renumbered
// its objects, and `cradlectl verify` names them). Rows being copied have no hash yet. SQLite
// cannot drop a table constraint, so the table is rebuilt with every column and row as they were.
// Also (the archive's record, invariant I6): the SHA-256 of each recording's metadata record in
// the archive, so that the camera's next record can chain to it. Recordings archived by earlier
// versions have none: ''.
void migrate_to_5(sqlite::Connection& db) {
    std::string sql = "\nCREATE TABLE recordings_v5 (";
    sql += kRecordingsColumnsOfVersion1;
    sql += R"sql(    officer TEXT NOT NULL DEFAULT '',
    camera_officer_id TEXT NOT NULL DEFAULT '',
    attribution_disagrees INTEGER NOT NULL DEFAULT 0 CHECK (attribution_disagrees IN (0, 1)),
    record_sha256 TEXT NOT NULL DEFAULT ''
);
INSERT INTO recordings_v5 (id, device_id, handle, name, size, captured_unix_s, state, sha256,
    archive_path, archived_at, wiped_at, officer, camera_officer_id, attribution_disagrees)
SELECT id, device_id, handle, name, size, captured_unix_s, state, sha256, archive_path,
    archived_at, wiped_at, officer, camera_officer_id, attribution_disagrees FROM recordings;
DROP TABLE recordings;
ALTER TABLE recordings_v5 RENAME TO recordings;
)sql";
    sql += kRecordingsIndexOfVersion1;
    sql += kRecordingsIndexesOfVersion4;
    sql +=
        "CREATE INDEX recordings_by_sighting ON recordings (device_id, name, captured_unix_s);\n";
    db.exec(sql.c_str(), "creating the schema of version 5");
}

// Version 6: the central archive's progress for each archived recording: the object key, the
// multipart upload to resume, the failed attempts and when to try again, and the store's version
// once the copy is confirmed there. A recording with no row, or with replicated_at 0, is waiting.
// The rows are bookkeeping, not history (the audit log has "recording.replicated"): they are
// updated in place, and only for recordings that exist. Also the segments of the audit journal
// confirmed in the central archive (audit seq first..last each), one row per segment.
void migrate_to_6(sqlite::Connection& db) {
    static constexpr const char* kSql = R"sql(
CREATE TABLE replication (
    recording_id INTEGER PRIMARY KEY REFERENCES recordings (id),
    object_key TEXT NOT NULL DEFAULT '',
    upload_id TEXT NOT NULL DEFAULT '',
    version_id TEXT NOT NULL DEFAULT '',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    failed_at INTEGER NOT NULL DEFAULT 0,
    replicated_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX replication_by_replicated ON replication (replicated_at);
CREATE INDEX recordings_by_state_archived ON recordings (state, archived_at);

CREATE TABLE replication_journal (
    id INTEGER PRIMARY KEY,
    first_seq INTEGER NOT NULL,
    last_seq INTEGER NOT NULL,
    object_key TEXT NOT NULL,
    version_id TEXT NOT NULL,
    replicated_at INTEGER NOT NULL,
    CHECK (first_seq >= 1 AND last_seq >= first_seq)
);
)sql";
    db.exec(kSql, "creating the schema of version 6");
}

// Version 7: each audit entry's signature (audit_signatures.hpp): the id of the cradle's key and
// its Ed25519 signature of the entry's hash. Entries of earlier versions stay unsigned; the
// first signed entry chains over them. Adding columns changes no entry: the append-only
// triggers stay as they are.
void migrate_to_7(sqlite::Connection& db) {
    static constexpr const char* kSql = R"sql(
ALTER TABLE audit ADD COLUMN key_id TEXT NOT NULL DEFAULT '';
ALTER TABLE audit ADD COLUMN signature TEXT NOT NULL DEFAULT '';
CREATE INDEX audit_key_entries ON audit (event) WHERE event IN ('identity.key_created',
    'identity.key_rotated');
)sql";
    db.exec(kSql, "creating the schema of version 7");
}

// Version 8: confidentiality marks (Art. 19), on a device (all its recordings, those to come
// too) or on one recording. Append-only: a mark taken back is a later row saying so, and the
// latest row of each target is its state. Catalogs of earlier versions have no marks.
void migrate_to_8(sqlite::Connection& db) {
    std::string sql = R"sql(
CREATE TABLE confidential_marks (
    id INTEGER PRIMARY KEY,
    device_id INTEGER REFERENCES devices (id),
    recording_id INTEGER REFERENCES recordings (id),
    confidential INTEGER NOT NULL CHECK (confidential IN (0, 1)),
    reason TEXT NOT NULL,
    at INTEGER NOT NULL,
    changed_by TEXT NOT NULL,
    CHECK ((device_id IS NULL) <> (recording_id IS NULL))
);
CREATE INDEX confidential_marks_by_device ON confidential_marks (device_id, id)
    WHERE device_id IS NOT NULL;
CREATE INDEX confidential_marks_by_recording ON confidential_marks (recording_id, id)
    WHERE recording_id IS NOT NULL;
)sql";
    sql += append_only("confidential_marks", "confidentiality marks");
    db.exec(sql.c_str(), "creating the schema of version 8");
}

using MigrationStep = void (*)(sqlite::Connection& db);
// kMigrations[n] takes a catalog from version n to version n + 1.
constexpr std::array<MigrationStep, 8> kMigrations = {migrate_to_1, migrate_to_2, migrate_to_3,
                                                      migrate_to_4, migrate_to_5, migrate_to_6,
                                                      migrate_to_7, migrate_to_8};
static_assert(kMigrations.size() == Catalog::kSchemaVersion);

}  // namespace

bool has_schema_version_table(sqlite::Connection& db) {
    sqlite::Query query(
        db, "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'schema_version'",
        "reading the schema version", sqlite::Prepare::once);
    return query.step();
}

int read_schema_version(sqlite::Connection& db) {
    if (!has_schema_version_table(db)) return 0;
    sqlite::Query query(db, "SELECT max(version) FROM schema_version", "reading the schema version",
                        sqlite::Prepare::once);
    if (!query.step() || query.is_null(0)) return 0;
    return static_cast<int>(query.integer(0));
}

void refuse_newer(const std::string& file, int found) {
    if (found > Catalog::kSchemaVersion) {
        throw CatalogError("catalog " + file + " has schema version " + std::to_string(found) +
                           ", newer than this version of cradled knows (" +
                           std::to_string(Catalog::kSchemaVersion) +
                           "); refusing to open it rather than risk damaging it");
    }
}

void migrate(sqlite::Connection& db) {
    int version = read_schema_version(db);
    refuse_newer(db.file(), version);
    while (version < Catalog::kSchemaVersion) {
        std::string doing = "migrating from schema version " + std::to_string(version) + " to " +
                            std::to_string(version + 1);
        sqlite::Transaction transaction(db, doing);
        // Another process may have migrated between our read and our write lock.
        int current = read_schema_version(db);
        refuse_newer(db.file(), current);
        if (current == version) {
            db.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)", doing);
            kMigrations[static_cast<std::size_t>(version)](db);
            // The table holds the one version row; it is replaced in this same transaction,
            // after the version was read again under the write lock, so no reader ever sees
            // the catalog without its version.
            db.exec("DELETE FROM schema_version", doing);
            sqlite::Query(db, "INSERT INTO schema_version (version) VALUES (?)", doing,
                          sqlite::Prepare::once)
                .bind(version + 1)
                .run();
        }
        transaction.commit();
        version = read_schema_version(db);
    }
}

}  // namespace cradle::schema
