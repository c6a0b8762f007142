#include "core/catalog/catalog.hpp"

#include "core/archive/archive_path.hpp"

#include "common/sha256.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <functional>
#include <limits>
#include <optional>
#include <span>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace cradle {

namespace {

constexpr std::string_view kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";
constexpr int kBusyTimeoutMs = 5000;

// Bounds on what the catalog stores, whoever asks: a device can lie about anything.
constexpr std::size_t kMaxIdentityBytes = 128;
constexpr std::size_t kMaxEventBytes = 64;
constexpr std::size_t kMaxDetailBytes = 1024;
constexpr std::size_t kMaxOutcomeBytes = 512;
constexpr std::size_t kMaxRecordingNameBytes = 4096;
constexpr std::size_t kMaxArchivePathBytes = 4096;

struct DatabaseCloser {
    void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
using DatabasePtr = std::unique_ptr<sqlite3, DatabaseCloser>;

struct StatementFinalizer {
    void operator()(sqlite3_stmt* stmt) const noexcept { sqlite3_finalize(stmt); }
};
using StatementPtr = std::unique_ptr<sqlite3_stmt, StatementFinalizer>;

struct SqliteFree {
    void operator()(char* text) const noexcept { sqlite3_free(text); }
};

[[noreturn]] void throw_sqlite(sqlite3* db, const std::string& file, std::string_view doing,
                               int rc) {
    std::string message = "catalog " + file + ": " + std::string(doing) + ": ";
    message += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    message += " (SQLite code " + std::to_string(rc) + ")";
    throw CatalogError(message);
}

[[noreturn]] void throw_catalog(const std::string& file, std::string_view doing,
                                std::string_view problem) {
    throw CatalogError("catalog " + file + ": " + std::string(doing) + ": " + std::string(problem));
}

void exec(sqlite3* db, const std::string& file, const char* sql, std::string_view doing) {
    char* raw_error = nullptr;
    int rc = sqlite3_exec(db, sql, nullptr, nullptr, &raw_error);
    std::unique_ptr<char, SqliteFree> error(raw_error);
    if (rc != SQLITE_OK) {
        std::string message = "catalog " + file + ": " + std::string(doing) + ": ";
        message += error ? error.get() : sqlite3_errstr(rc);
        message += " (SQLite code " + std::to_string(rc) + ")";
        throw CatalogError(message);
    }
}

// Marks a parameter to be bound as a BLOB (raw bytes) rather than as text.
struct Blob {
    std::string_view bytes;
};

// Prepared statements, kept for the life of the connection, keyed by their SQL text (always a
// string literal, so the key's characters live as long as the program).
struct StatementCache {
    std::unordered_map<std::string_view, StatementPtr> statements;
};

}  // namespace

struct Catalog::Statements : StatementCache {
    std::string file;  // for error messages
    // Audit rows appended by the transaction in progress, for the audit sink after its commit.
    std::vector<AuditRow> pending_audit;
    std::function<void(const std::vector<AuditRow>&)> audit_sink;
};

namespace {

// One execution of a statement: binds, steps, reads columns; resets the statement when done so
// a cached statement never holds a read transaction open.
class Query {
  public:
    Query(sqlite3* db, StatementCache* cache, const std::string& file, std::string_view sql,
          std::string doing)
        : db_(db), file_(file), doing_(std::move(doing)) {
        if (cache != nullptr) {
            auto found = cache->statements.find(sql);
            // A statement still in use (a caller further up is iterating it) gets a private copy.
            if (found != cache->statements.end() && !sqlite3_stmt_busy(found->second.get())) {
                stmt_ = found->second.get();
                return;
            }
        }
        StatementPtr prepared = prepare(sql, cache != nullptr);
        stmt_ = prepared.get();
        if (cache != nullptr && !cache->statements.contains(sql)) {
            cache->statements.emplace(sql, std::move(prepared));
        } else {
            owned_ = std::move(prepared);
        }
    }
    Query(const Query&) = delete;
    Query& operator=(const Query&) = delete;
    ~Query() {
        sqlite3_reset(stmt_);
        sqlite3_clear_bindings(stmt_);
    }

    template <typename... Values>
    Query& bind(const Values&... values) {
        int index = 0;
        (bind_one(++index, values), ...);
        return *this;
    }

    // True while there is a row to read.
    bool step() {
        int rc = sqlite3_step(stmt_);
        if (rc == SQLITE_ROW) return true;
        if (rc == SQLITE_DONE) return false;
        throw_sqlite(db_, file_, doing_, rc);
    }
    void run() {
        while (step()) {
        }
    }

    std::int64_t integer(int column) const { return sqlite3_column_int64(stmt_, column); }
    bool is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
    std::string text(int column) const {
        const unsigned char* data = sqlite3_column_text(stmt_, column);
        int length = sqlite3_column_bytes(stmt_, column);
        if (data == nullptr) return {};
        return std::string(reinterpret_cast<const char*>(data), static_cast<std::size_t>(length));
    }
    std::string blob(int column) const {
        const void* data = sqlite3_column_blob(stmt_, column);
        int length = sqlite3_column_bytes(stmt_, column);
        if (data == nullptr) return {};
        return std::string(static_cast<const char*>(data), static_cast<std::size_t>(length));
    }

    const std::string& doing() const { return doing_; }

  private:
    StatementPtr prepare(std::string_view sql, bool persistent) {
        sqlite3_stmt* raw = nullptr;
        int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                    persistent ? SQLITE_PREPARE_PERSISTENT : 0, &raw, nullptr);
        StatementPtr prepared(raw);
        if (rc != SQLITE_OK) throw_sqlite(db_, file_, doing_, rc);
        return prepared;
    }

    void check_bind(int rc) {
        if (rc != SQLITE_OK) throw_sqlite(db_, file_, doing_, rc);
    }
    void bind_one(int index, std::int64_t value) {
        check_bind(sqlite3_bind_int64(stmt_, index, value));
    }
    void bind_one(int index, int value) { check_bind(sqlite3_bind_int(stmt_, index, value)); }
    void bind_one(int index, std::string_view value) {
        check_bind(sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT,
                                       SQLITE_UTF8));
    }
    void bind_one(int index, const std::string& value) { bind_one(index, std::string_view(value)); }
    void bind_one(int index, const char* value) { bind_one(index, std::string_view(value)); }
    void bind_one(int index, Blob value) {
        // A zero-length blob must still be a blob, not NULL: bind a non-null pointer.
        static const char kEmpty = 0;
        const char* data = value.bytes.empty() ? &kEmpty : value.bytes.data();
        check_bind(sqlite3_bind_blob64(stmt_, index, data, value.bytes.size(), SQLITE_TRANSIENT));
    }
    void bind_one(int index, std::nullptr_t) { check_bind(sqlite3_bind_null(stmt_, index)); }
    void bind_one(int index, const std::optional<std::int64_t>& value) {
        if (value) {
            bind_one(index, *value);
        } else {
            bind_one(index, nullptr);
        }
    }

    sqlite3* db_;
    const std::string& file_;
    std::string doing_;
    sqlite3_stmt* stmt_ = nullptr;
    StatementPtr owned_;
};

// BEGIN IMMEDIATE (take the write lock up front, so a busy database fails at the start and not
// half-way); rolls back unless committed.
class Transaction {
  public:
    Transaction(sqlite3* db, const std::string& file, std::string doing)
        : db_(db), file_(file), doing_(std::move(doing)) {
        exec(db_, file_, "BEGIN IMMEDIATE", doing_);
    }
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    ~Transaction() {
        // After a failed COMMIT SQLite may already have rolled back on its own.
        if (!committed_ && sqlite3_get_autocommit(db_) == 0) {
            sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
        }
    }
    void commit() {
        exec(db_, file_, "COMMIT", doing_);
        committed_ = true;
    }

  private:
    sqlite3* db_;
    const std::string& file_;
    std::string doing_;
    bool committed_ = false;
};

// ---- Schema -------------------------------------------------------------------------------
//
// One function per version step. A step that has shipped is never edited: a catalog in the
// field was built by it. A new schema is a new step appended to kMigrations.

void migrate_to_1(sqlite3* db, const std::string& file) {
    static constexpr const char* kSql = R"sql(
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

CREATE TABLE recordings (
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
    UNIQUE (device_id, handle, name, size, captured_unix_s)
);
CREATE INDEX recordings_by_state ON recordings (state);

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

-- The audit log is append-only: the database itself refuses to change or drop an entry.
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'audit entries are append-only');
END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
    SELECT RAISE(ABORT, 'audit entries are append-only');
END;
)sql";
    exec(db, file, kSql, "creating the schema of version 1");
}

// Version 2: what the configuration file last said of each registered device, so that a change
// made over D-Bus survives a restart and an edit of the file still takes effect.
void migrate_to_2(sqlite3* db, const std::string& file) {
    static constexpr const char* kSql = R"sql(
CREATE TABLE register_from_configuration (
    serial TEXT PRIMARY KEY,
    custodian TEXT NOT NULL,
    officer TEXT NOT NULL,
    head TEXT NOT NULL
);
)sql";
    exec(db, file, kSql, "creating the schema of version 2");
}

// Version 3: the register's history (one dated row per change, naming who made it and what the
// entry was before), and retirement of devices. The history is append-only like the audit log.
// Registers of earlier versions have no history rows: their past is in the audit log only.
void migrate_to_3(sqlite3* db, const std::string& file) {
    static constexpr const char* kSql = R"sql(
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

CREATE TRIGGER device_history_no_update BEFORE UPDATE ON device_history
BEGIN
    SELECT RAISE(ABORT, 'register history entries are append-only');
END;
CREATE TRIGGER device_history_no_delete BEFORE DELETE ON device_history
BEGIN
    SELECT RAISE(ABORT, 'register history entries are append-only');
END;
)sql";
    exec(db, file, kSql, "creating the schema of version 3");
}

// Version 4: whose footage each recording is (the officer assigned at its capture time, the
// officer ID the camera reported, and whether the two disagree), the officers' roster, the
// readiness verdicts of each device over time, and the indexes the reports read by. Recordings
// of earlier versions have no attribution: '' / '' / 0.
void migrate_to_4(sqlite3* db, const std::string& file) {
    static constexpr const char* kSql = R"sql(
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

-- A verdict once given is a record of what the cradle said; it is never rewritten.
CREATE TRIGGER readiness_no_update BEFORE UPDATE ON readiness
BEGIN
    SELECT RAISE(ABORT, 'readiness verdicts are append-only');
END;
CREATE TRIGGER readiness_no_delete BEFORE DELETE ON readiness
BEGIN
    SELECT RAISE(ABORT, 'readiness verdicts are append-only');
END;

CREATE INDEX dock_sessions_by_device ON dock_sessions (device_id, started_at);
CREATE INDEX dock_sessions_by_start ON dock_sessions (started_at);
CREATE INDEX recordings_by_device_archived ON recordings (device_id, archived_at);
CREATE INDEX recordings_by_archived ON recordings (archived_at);
CREATE INDEX recordings_by_wiped ON recordings (wiped_at);
CREATE INDEX recordings_by_device_wiped ON recordings (device_id, wiped_at);
CREATE INDEX recordings_disagreeing ON recordings (captured_unix_s)
    WHERE attribution_disagrees = 1;
CREATE INDEX health_checks_by_dock ON health_checks (dock_session_id, at);
CREATE INDEX clock_syncs_by_dock ON clock_syncs (dock_session_id, at);
)sql";
    exec(db, file, kSql, "creating the schema of version 4");
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
void migrate_to_5(sqlite3* db, const std::string& file) {
    static constexpr const char* kSql = R"sql(
CREATE TABLE recordings_v5 (
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
    officer TEXT NOT NULL DEFAULT '',
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

CREATE INDEX recordings_by_state ON recordings (state);
CREATE INDEX recordings_by_device_archived ON recordings (device_id, archived_at);
CREATE INDEX recordings_by_archived ON recordings (archived_at);
CREATE INDEX recordings_by_wiped ON recordings (wiped_at);
CREATE INDEX recordings_by_device_wiped ON recordings (device_id, wiped_at);
CREATE INDEX recordings_disagreeing ON recordings (captured_unix_s)
    WHERE attribution_disagrees = 1;
CREATE INDEX recordings_by_sighting ON recordings (device_id, name, captured_unix_s);
)sql";
    exec(db, file, kSql, "creating the schema of version 5");
}

using MigrationStep = void (*)(sqlite3* db, const std::string& file);
// kMigrations[n] takes a catalog from version n to version n + 1.
constexpr std::array<MigrationStep, 5> kMigrations = {migrate_to_1, migrate_to_2, migrate_to_3,
                                                      migrate_to_4, migrate_to_5};
static_assert(kMigrations.size() == Catalog::kSchemaVersion);

bool has_schema_version_table(sqlite3* db, const std::string& file) {
    Query query(db, nullptr, file,
                "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'schema_version'",
                "reading the schema version");
    return query.step();
}

// 0 for an empty database.
int read_schema_version(sqlite3* db, const std::string& file) {
    if (!has_schema_version_table(db, file)) return 0;
    Query query(db, nullptr, file, "SELECT max(version) FROM schema_version",
                "reading the schema version");
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

void migrate(sqlite3* db, const std::string& file) {
    int version = read_schema_version(db, file);
    refuse_newer(file, version);
    while (version < Catalog::kSchemaVersion) {
        std::string doing = "migrating from schema version " + std::to_string(version) + " to " +
                            std::to_string(version + 1);
        Transaction transaction(db, file, doing);
        // Another process may have migrated between our read and our write lock.
        int current = read_schema_version(db, file);
        refuse_newer(file, current);
        if (current == version) {
            exec(db, file, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)",
                 doing);
            kMigrations[static_cast<std::size_t>(version)](db, file);
            exec(db, file, "DELETE FROM schema_version", doing);
            Query(db, nullptr, file, "INSERT INTO schema_version (version) VALUES (?)", doing)
                .bind(version + 1)
                .run();
        }
        transaction.commit();
        version = read_schema_version(db, file);
    }
}

// "file:<path>?immutable=1", the path percent-encoded as URI filenames require.
std::string immutable_uri(const std::filesystem::path& file) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string uri = "file:";
    for (char c : std::filesystem::absolute(file).string()) {
        auto byte = static_cast<unsigned char>(c);
        if (std::isalnum(byte) != 0 || std::strchr("/-._~", c) != nullptr) {
            uri += c;
        } else {
            uri += '%';
            uri += kHex[byte >> 4];
            uri += kHex[byte & 0xf];
        }
    }
    return uri + "?immutable=1";
}

// `file` names the catalog in messages; `filename` is what SQLite opens (maybe a URI).
DatabasePtr open_database(const std::string& file, const std::string& filename, int flags,
                          const char* vfs) {
    sqlite3* raw = nullptr;
    int rc = sqlite3_open_v2(filename.c_str(), &raw, flags, vfs);
    DatabasePtr db(raw);
    if (rc != SQLITE_OK) throw_sqlite(db.get(), file, "opening", rc);
    sqlite3_extended_result_codes(db.get(), 1);
    sqlite3_busy_timeout(db.get(), kBusyTimeoutMs);
    return db;
}

// ---- Values --------------------------------------------------------------------------------

std::optional<RecordingState> parse_state(std::string_view text) {
    if (text == "copying") return RecordingState::copying;
    if (text == "archived") return RecordingState::archived;
    if (text == "wiped") return RecordingState::wiped;
    return std::nullopt;
}

bool is_sha256_hex(std::string_view text) {
    if (text.size() != 64) return false;
    for (char c : text) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    }
    return true;
}

DeviceRow read_device(const Query& query) {
    DeviceRow row;
    row.id = query.integer(0);
    row.serial = query.text(1);
    row.manufacturer = query.text(2);
    row.model = query.text(3);
    row.firmware = query.text(4);
    row.registered = query.integer(5) != 0;
    row.custodian = query.text(6);
    row.officer = query.text(7);
    row.head = query.text(8);
    row.first_seen = query.integer(9);
    row.last_seen = query.integer(10);
    row.retired = query.integer(11) != 0;
    row.retired_at = query.integer(12);
    return row;
}

RecordingRow read_recording(const Query& query) {
    RecordingRow row;
    row.id = query.integer(0);
    row.key.device_id = query.integer(1);
    row.key.handle = static_cast<std::uint32_t>(query.integer(2));
    row.key.name = query.blob(3);
    row.key.size = static_cast<std::uint64_t>(query.integer(4));
    row.key.captured_unix_s = query.integer(5);
    std::string state = query.text(6);
    auto parsed = parse_state(state);
    if (!parsed) {
        throw CatalogError("catalog: " + query.doing() + ": recording " + std::to_string(row.id) +
                           " has an unknown state '" + sanitize_text(state, 32) + "'");
    }
    row.state = *parsed;
    row.sha256_hex = query.text(7);
    row.archive_path = query.text(8);
    row.archived_at = query.integer(9);
    row.wiped_at = query.integer(10);
    row.officer = query.text(11);
    row.camera_officer_id = query.text(12);
    row.attribution_disagrees = query.integer(13) != 0;
    return row;
}

AuditRow read_audit(const Query& query) {
    AuditRow row;
    row.seq = query.integer(0);
    row.at = query.integer(1);
    row.event = query.text(2);
    row.bay = static_cast<int>(query.integer(3));
    row.device_serial = query.text(4);
    row.recording_id = query.integer(5);
    row.detail = query.text(6);
    row.prev_hash_hex = query.text(7);
    row.hash_hex = query.text(8);
    return row;
}

void append_length_prefixed(Sha256& sha, std::string_view field) {
    std::array<unsigned char, 8> length{};
    std::uint64_t size = field.size();
    for (int i = 7; i >= 0; --i) {
        length[static_cast<std::size_t>(i)] = static_cast<unsigned char>(size & 0xff);
        size >>= 8;
    }
    sha.update(std::as_bytes(std::span(length)));
    sha.update(field);
}

}  // namespace

const char* to_string(RecordingState state) noexcept {
    switch (state) {
        case RecordingState::copying:
            return "copying";
        case RecordingState::archived:
            return "archived";
        case RecordingState::wiped:
            return "wiped";
    }
    return "unknown";
}

// ---- Catalog: lifetime ---------------------------------------------------------------------

Catalog::Catalog(const std::filesystem::path& file, const char* vfs)
    : stmts_(std::make_unique<Statements>()) {
    stmts_->file = file.string();
    DatabasePtr db =
        open_database(stmts_->file, stmts_->file, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, vfs);
    // WAL with synchronous=FULL: a commit is durable when COMMIT returns (I3), and readers such
    // as cradlectl never block the daemon.
    std::string mode;
    {
        Query journal(db.get(), nullptr, stmts_->file, "PRAGMA journal_mode = WAL",
                      "switching to WAL journaling");
        if (journal.step()) mode = journal.text(0);
    }
    if (mode != "wal") {
        throw_catalog(stmts_->file, "switching to WAL journaling",
                      "SQLite kept journal mode '" + sanitize_text(mode, 32) + "'");
    }
    exec(db.get(), stmts_->file, "PRAGMA synchronous = FULL", "setting synchronous=FULL");
    exec(db.get(), stmts_->file, "PRAGMA foreign_keys = ON", "enabling foreign keys");
    migrate(db.get(), stmts_->file);
    db_ = db.release();
}

Catalog Catalog::open_read_only(const std::filesystem::path& file) {
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) {
        throw CatalogError("no catalog at " + file.string());
    }
    Catalog catalog;
    catalog.stmts_ = std::make_unique<Statements>();
    catalog.stmts_->file = file.string();
    // While a writer has the catalog open, or after it crashed, the -wal file exists and a
    // read-only connection shares its -shm index. Without a -wal file the main file holds every
    // committed transaction; opening it as immutable then keeps SQLite from creating -wal and
    // -shm files, which (owned by whoever ran cradlectl) could later lock out the daemon.
    std::error_code wal_ec;
    bool writer_present = std::filesystem::exists(file.string() + "-wal", wal_ec);
    DatabasePtr db = writer_present
                         ? open_database(catalog.stmts_->file, catalog.stmts_->file,
                                         SQLITE_OPEN_READONLY, nullptr)
                         : open_database(catalog.stmts_->file, immutable_uri(file),
                                         SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, nullptr);
    const std::string& name = catalog.stmts_->file;
    if (!has_schema_version_table(db.get(), name)) {
        throw CatalogError("catalog " + name + " is not a cradled catalog (no schema_version)");
    }
    int version = read_schema_version(db.get(), name);
    refuse_newer(name, version);
    if (version < kSchemaVersion) {
        throw CatalogError("catalog " + name + " has schema version " + std::to_string(version) +
                           " and needs migrating to version " + std::to_string(kSchemaVersion) +
                           " by the daemon before it can be read");
    }
    catalog.db_ = db.release();
    return catalog;
}

Catalog::Catalog(Catalog&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)),
      stmts_(std::move(other.stmts_)),
      sink_context_(std::move(other.sink_context_)) {}

Catalog& Catalog::operator=(Catalog&& other) noexcept {
    if (this != &other) {
        stmts_.reset();
        if (db_ != nullptr) sqlite3_close_v2(db_);
        db_ = std::exchange(other.db_, nullptr);
        stmts_ = std::move(other.stmts_);
        sink_context_ = std::move(other.sink_context_);
    }
    return *this;
}

Catalog::~Catalog() {
    // The hooks reach the statements: off first.
    if (db_ != nullptr && sink_context_) {
        sqlite3_wal_hook(db_, nullptr, nullptr);
        sqlite3_rollback_hook(db_, nullptr, nullptr);
    }
    // Statements first: a connection with live statements would stay open.
    stmts_.reset();
    if (db_ != nullptr) sqlite3_close_v2(db_);
}

int Catalog::schema_version() const {
    return read_schema_version(db_, stmts_->file);
}

// ---- Devices -------------------------------------------------------------------------------

DeviceRow Catalog::upsert_device(const std::string& serial, const std::string& manufacturer,
                                 const std::string& model, const std::string& firmware,
                                 std::int64_t now) {
    std::string clean_serial = sanitize_text(serial, kMaxIdentityBytes);
    std::string doing = "recording a sighting of device " + clean_serial;
    if (clean_serial.empty()) throw_catalog(stmts_->file, doing, "the serial is empty");
    Transaction transaction(db_, stmts_->file, doing);
    Query(db_, stmts_.get(), stmts_->file,
          "INSERT INTO devices (serial, manufacturer, model, firmware, first_seen, last_seen) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?5) "
          "ON CONFLICT (serial) DO UPDATE SET manufacturer = excluded.manufacturer, "
          "model = excluded.model, firmware = excluded.firmware, "
          "first_seen = CASE WHEN devices.first_seen = 0 THEN excluded.first_seen "
          "ELSE devices.first_seen END, "
          "last_seen = excluded.last_seen",
          doing)
        .bind(clean_serial, sanitize_text(manufacturer, kMaxIdentityBytes),
              sanitize_text(model, kMaxIdentityBytes), sanitize_text(firmware, kMaxIdentityBytes),
              now)
        .run();
    auto row = find_device(clean_serial);
    transaction.commit();
    if (!row) throw_catalog(stmts_->file, doing, "the row vanished after it was written");
    return *row;
}

std::optional<DeviceRow> Catalog::find_device(const std::string& serial) const {
    std::string clean_serial = sanitize_text(serial, kMaxIdentityBytes);
    Query query(
        db_, stmts_.get(), stmts_->file,
        "SELECT id, serial, manufacturer, model, firmware, registered, custodian, "
        "officer, head, first_seen, last_seen, retired, retired_at FROM devices WHERE serial = ?",
        "looking up device " + clean_serial);
    query.bind(clean_serial);
    if (!query.step()) return std::nullopt;
    return read_device(query);
}

std::vector<DeviceRow> Catalog::devices() const {
    Query query(
        db_, stmts_.get(), stmts_->file,
        "SELECT id, serial, manufacturer, model, firmware, registered, custodian, "
        "officer, head, first_seen, last_seen, retired, retired_at FROM devices ORDER BY serial",
        "listing devices");
    std::vector<DeviceRow> rows;
    while (query.step()) rows.push_back(read_device(query));
    return rows;
}

DeviceRow Catalog::register_device(const std::string& serial, const std::string& custodian,
                                   const std::string& officer, const std::string& head,
                                   std::int64_t now, const std::string& changed_by,
                                   const std::string& reason) {
    std::string clean_serial = sanitize_text(serial, kMaxIdentityBytes);
    std::string clean_custodian = sanitize_text(custodian, kMaxIdentityBytes);
    std::string clean_officer = sanitize_text(officer, kMaxIdentityBytes);
    std::string clean_head = sanitize_text(head, kMaxIdentityBytes);
    std::string doing = "registering device " + clean_serial;
    if (clean_serial.empty()) throw_catalog(stmts_->file, doing, "the serial is empty");

    Transaction transaction(db_, stmts_->file, doing);
    DeviceRow row = register_in_transaction(clean_serial, clean_custodian, clean_officer,
                                            clean_head, now, changed_by, doing, reason);
    transaction.commit();
    return row;
}

DeviceRow Catalog::register_in_transaction(const std::string& clean_serial,
                                           const std::string& clean_custodian,
                                           const std::string& clean_officer,
                                           const std::string& clean_head, std::int64_t now,
                                           const std::string& changed_by, const std::string& doing,
                                           const std::string& reason) {
    auto existing = find_device(clean_serial);
    // Setting an entry to what it already is is no change and no audited event.
    if (existing && existing->registered && !existing->retired &&
        existing->custodian == clean_custodian && existing->officer == clean_officer &&
        existing->head == clean_head) {
        return *existing;
    }
    std::string action = "changed";
    if (!existing || !existing->registered) {
        action = "registered";
    } else if (existing->retired) {
        action = "reinstated";
    } else if (existing->custodian == clean_custodian && existing->head == clean_head) {
        action = "reassigned";
    }
    Query(db_, stmts_.get(), stmts_->file,
          "INSERT INTO devices (serial, registered, custodian, officer, head) "
          "VALUES (?, 1, ?, ?, ?) "
          "ON CONFLICT (serial) DO UPDATE SET registered = 1, custodian = excluded.custodian, "
          "officer = excluded.officer, head = excluded.head, retired = 0, retired_at = 0",
          doing)
        .bind(clean_serial, clean_custodian, clean_officer, clean_head)
        .run();
    const std::string clean_by = sanitize_text(changed_by);
    const std::string clean_reason = sanitize_text(reason, kMaxDetailBytes);
    std::string detail = "custodian=" + clean_custodian + "; officer=" + clean_officer +
                         "; head=" + clean_head + "; by=" + clean_by;
    if (action == "reinstated") detail += "; reinstated";
    if (!clean_reason.empty()) detail += "; reason=" + clean_reason;
    append_audit(AuditEvent{"device.registered", 0, clean_serial, 0, detail}, now, doing);
    DeviceHistoryRow history;
    history.serial = clean_serial;
    history.at = now;
    history.action = action;
    history.custodian = clean_custodian;
    history.officer = clean_officer;
    history.head = clean_head;
    if (existing && existing->registered) {
        history.previous_custodian = existing->custodian;
        history.previous_officer = existing->officer;
        history.previous_head = existing->head;
    }
    history.changed_by = clean_by;
    history.reason = clean_reason;
    append_history(history, doing);
    auto row = find_device(clean_serial);
    if (!row) throw_catalog(stmts_->file, doing, "the row vanished after it was written");
    return *row;
}

void Catalog::append_history(const DeviceHistoryRow& row, const std::string& doing) {
    Query(db_, stmts_.get(), stmts_->file,
          "INSERT INTO device_history (serial, at, action, custodian, officer, head, "
          "previous_custodian, previous_officer, previous_head, changed_by, reason) "
          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
          doing)
        .bind(row.serial, row.at, row.action, row.custodian, row.officer, row.head,
              row.previous_custodian, row.previous_officer, row.previous_head, row.changed_by,
              row.reason)
        .run();
}

DeviceRow Catalog::assign_officer(const std::string& serial, const std::string& officer,
                                  std::int64_t now, const std::string& changed_by,
                                  const std::string& reason) {
    std::string clean_serial = sanitize_text(serial, kMaxIdentityBytes);
    std::string clean_officer = sanitize_text(officer, kMaxIdentityBytes);
    std::string doing = "assigning device " + clean_serial;
    if (clean_officer.empty()) throw_catalog(stmts_->file, doing, "the officer is empty");
    Transaction transaction(db_, stmts_->file, doing);
    auto existing = find_device(clean_serial);
    if (!existing) throw_catalog(stmts_->file, doing, "no such device");
    if (!existing->registered) throw_catalog(stmts_->file, doing, "the device is not registered");
    DeviceRow row = register_in_transaction(clean_serial, existing->custodian, clean_officer,
                                            existing->head, now, changed_by, doing, reason);
    transaction.commit();
    return row;
}

DeviceRow Catalog::retire_device(const std::string& serial, const std::string& reason,
                                 std::int64_t now, const std::string& changed_by) {
    std::string clean_serial = sanitize_text(serial, kMaxIdentityBytes);
    std::string clean_reason = sanitize_text(reason, kMaxDetailBytes);
    std::string doing = "retiring device " + clean_serial;
    if (clean_reason.empty()) throw_catalog(stmts_->file, doing, "a reason is required");
    Transaction transaction(db_, stmts_->file, doing);
    auto existing = find_device(clean_serial);
    if (!existing) throw_catalog(stmts_->file, doing, "no such device");
    if (existing->retired) {
        transaction.commit();
        return *existing;
    }
    Query(db_, stmts_.get(), stmts_->file,
          "UPDATE devices SET retired = 1, retired_at = ? WHERE serial = ?", doing)
        .bind(now, clean_serial)
        .run();
    const std::string clean_by = sanitize_text(changed_by);
    append_audit(AuditEvent{"device.retired", 0, clean_serial, 0,
                            "by=" + clean_by + "; reason=" + clean_reason},
                 now, doing);
    DeviceHistoryRow history;
    history.serial = clean_serial;
    history.at = now;
    history.action = "retired";
    // A retired entry keeps its names: the report says whose camera it was.
    history.custodian = history.previous_custodian = existing->custodian;
    history.officer = history.previous_officer = existing->officer;
    history.head = history.previous_head = existing->head;
    history.changed_by = clean_by;
    history.reason = clean_reason;
    append_history(history, doing);
    auto row = find_device(clean_serial);
    transaction.commit();
    if (!row) throw_catalog(stmts_->file, doing, "the row vanished after it was written");
    return *row;
}

std::vector<DeviceHistoryRow> Catalog::device_history(const std::string& serial, std::int64_t from,
                                                      std::int64_t to) const {
    std::string clean_serial = sanitize_text(serial, kMaxIdentityBytes);
    Query query(db_, stmts_.get(), stmts_->file,
                "SELECT id, serial, at, action, custodian, officer, head, previous_custodian, "
                "previous_officer, previous_head, changed_by, reason FROM device_history "
                "WHERE (?1 = '' OR serial = ?1) AND (?2 = 0 OR at >= ?2) AND (?3 = 0 OR at <= ?3) "
                "ORDER BY at, id",
                "reading the register's history");
    query.bind(clean_serial, from, to);
    std::vector<DeviceHistoryRow> rows;
    while (query.step()) {
        DeviceHistoryRow row;
        row.id = query.integer(0);
        row.serial = query.text(1);
        row.at = query.integer(2);
        row.action = query.text(3);
        row.custodian = query.text(4);
        row.officer = query.text(5);
        row.head = query.text(6);
        row.previous_custodian = query.text(7);
        row.previous_officer = query.text(8);
        row.previous_head = query.text(9);
        row.changed_by = query.text(10);
        row.reason = query.text(11);
        rows.push_back(std::move(row));
    }
    return rows;
}

bool Catalog::apply_configured_registration(const std::string& serial, const std::string& custodian,
                                            const std::string& officer, const std::string& head,
                                            std::int64_t now) {
    const std::string clean_serial = sanitize_text(serial, kMaxIdentityBytes);
    const std::string clean_custodian = sanitize_text(custodian, kMaxIdentityBytes);
    const std::string clean_officer = sanitize_text(officer, kMaxIdentityBytes);
    const std::string clean_head = sanitize_text(head, kMaxIdentityBytes);
    const std::string doing = "applying the configured register entry of " + clean_serial;
    if (clean_serial.empty()) throw_catalog(stmts_->file, doing, "the serial is empty");
    Transaction transaction(db_, stmts_->file, doing);
    Query last(db_, stmts_.get(), stmts_->file,
               "SELECT 1 FROM register_from_configuration WHERE serial = ? AND custodian = ? "
               "AND officer = ? AND head = ?",
               doing);
    last.bind(clean_serial, clean_custodian, clean_officer, clean_head);
    if (last.step()) {
        transaction.commit();
        return false;
    }
    Query(db_, stmts_.get(), stmts_->file,
          "INSERT INTO register_from_configuration (serial, custodian, officer, head) "
          "VALUES (?, ?, ?, ?) ON CONFLICT (serial) DO UPDATE SET custodian = excluded.custodian, "
          "officer = excluded.officer, head = excluded.head",
          doing)
        .bind(clean_serial, clean_custodian, clean_officer, clean_head)
        .run();
    register_in_transaction(clean_serial, clean_custodian, clean_officer, clean_head, now,
                            "configuration", doing);
    transaction.commit();
    return true;
}

// ---- Recordings ----------------------------------------------------------------------------

namespace {

// ASCII letters folded, surrounding spaces dropped: how two spellings of one officer compare.
std::string officer_comparison_form(std::string_view text) {
    auto not_space = [](unsigned char c) { return std::isspace(c) == 0; };
    auto first = std::find_if(text.begin(), text.end(), not_space);
    auto last = std::find_if(text.rbegin(), text.rend(), not_space).base();
    std::string out;
    for (auto it = first; it < last; ++it) {
        auto c = static_cast<unsigned char>(*it);
        out += (c < 0x80) ? static_cast<char>(std::tolower(c)) : *it;
    }
    return out;
}

std::string trimmed(std::string_view text) {
    auto not_space = [](unsigned char c) { return std::isspace(c) == 0; };
    auto first = std::find_if(text.begin(), text.end(), not_space);
    auto last = std::find_if(text.rbegin(), text.rend(), not_space).base();
    return first < last ? std::string(first, last) : std::string();
}

// Whether text shows nothing: only ASCII spaces and the Unicode spaces a roster typed in
// another script may hold (no-break, ideographic, the typographic spaces, zero width, BOM).
bool blank(std::string_view text) {
    static constexpr std::string_view kUnicodeSpaces[] = {
        "\xC2\xA0",     "\xE3\x80\x80", "\xE2\x80\x80", "\xE2\x80\x81",
        "\xE2\x80\x82", "\xE2\x80\x83", "\xE2\x80\x84", "\xE2\x80\x85",
        "\xE2\x80\x86", "\xE2\x80\x87", "\xE2\x80\x88", "\xE2\x80\x89",
        "\xE2\x80\x8A", "\xE2\x80\x8B", "\xE2\x80\xAF", "\xEF\xBB\xBF"};
    while (!text.empty()) {
        if (std::isspace(static_cast<unsigned char>(text.front())) != 0) {
            text.remove_prefix(1);
            continue;
        }
        auto space = std::find_if(std::begin(kUnicodeSpaces), std::end(kUnicodeSpaces),
                                  [&](std::string_view s) { return text.starts_with(s); });
        if (space == std::end(kUnicodeSpaces)) return false;
        text.remove_prefix(space->size());
    }
    return true;
}

}  // namespace

std::string Catalog::officer_at(std::int64_t device_id, std::int64_t at,
                                const std::string& doing) const {
    Query device(db_, stmts_.get(), stmts_->file,
                 "SELECT serial, registered, officer FROM devices WHERE id = ?", doing);
    device.bind(device_id);
    // An unknown device fails at the insert, on its foreign key.
    if (!device.step()) return "";
    const std::string serial = device.text(0);
    const bool registered = device.integer(1) != 0;
    const std::string current_officer = device.text(2);
    {
        Query valid(db_, stmts_.get(), stmts_->file,
                    "SELECT officer FROM device_history WHERE serial = ? AND at <= ? "
                    "ORDER BY at DESC, id DESC LIMIT 1",
                    doing);
        valid.bind(serial, at);
        if (valid.step()) return valid.text(0);
    }
    Query earliest(db_, stmts_.get(), stmts_->file,
                   "SELECT action, previous_officer FROM device_history WHERE serial = ? "
                   "ORDER BY at, id LIMIT 1",
                   doing);
    earliest.bind(serial);
    if (earliest.step()) {
        // History began after the capture. Its first row says what the entry was before it,
        // unless that row is the first registration (then there was no entry).
        return earliest.text(0) == "registered" ? "" : earliest.text(1);
    }
    // Registered before the register kept history (schema 3): the entry as it is now is the
    // best knowledge there is.
    return registered ? current_officer : "";
}

bool Catalog::names_other_officer(const std::string& officer, const std::string& camera_officer_id,
                                  const std::string& doing) const {
    const std::string officer_form = officer_comparison_form(officer);
    if (officer_form == officer_comparison_form(camera_officer_id)) return false;
    // The roster maps the camera's ID to a name; IDs compare ignoring case (the column's
    // collation), names through their comparison form.
    Query by_badge(db_, stmts_.get(), stmts_->file, "SELECT name FROM officers WHERE badge = ?",
                   doing);
    by_badge.bind(trimmed(camera_officer_id));
    bool id_known = false;
    while (by_badge.step()) {
        id_known = true;
        if (officer_comparison_form(by_badge.text(0)) == officer_form) return false;
    }
    if (id_known) return true;
    // An ID the roster does not know names another officer only if the officer is in the
    // roster (under another badge); otherwise nothing says who the ID is.
    Query by_officer(db_, stmts_.get(), stmts_->file,
                     "SELECT badge, name FROM officers WHERE badge = ? OR name = ? COLLATE NOCASE",
                     doing);
    by_officer.bind(trimmed(officer), trimmed(officer));
    while (by_officer.step()) {
        if (officer_comparison_form(by_officer.text(0)) == officer_form ||
            officer_comparison_form(by_officer.text(1)) == officer_form) {
            return true;
        }
    }
    return false;
}

RecordingRow Catalog::begin_recording(const RecordingKey& key,
                                      const std::string& camera_officer_id) {
    std::string doing = "recording the start of a copy from device " +
                        std::to_string(key.device_id) + " (handle " + std::to_string(key.handle) +
                        ")";
    if (key.name.size() > kMaxRecordingNameBytes) {
        throw_catalog(stmts_->file, doing, "the recording name is longer than the catalog keeps");
    }
    if (key.size > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        throw_catalog(stmts_->file, doing, "the recording size is out of range");
    }
    const std::string clean_camera_officer_id =
        sanitize_text(trimmed(camera_officer_id), kMaxIdentityBytes);
    Transaction transaction(db_, stmts_->file, doing);
    const std::string officer = officer_at(key.device_id, key.captured_unix_s, doing);
    // The camera's ID is read at the dock, so it may already be that of the officer the camera
    // is assigned to now: it disagrees only if it names neither of them.
    const bool disagrees =
        !clean_camera_officer_id.empty() && !officer.empty() &&
        officer_comparison_form(officer) != "pool" &&
        names_other_officer(officer, clean_camera_officer_id, doing) &&
        names_other_officer(
            officer_at(key.device_id, std::numeric_limits<std::int64_t>::max(), doing),
            clean_camera_officer_id, doing);
    Query(db_, stmts_.get(), stmts_->file,
          "INSERT INTO recordings (device_id, handle, name, size, captured_unix_s, state, "
          "officer, camera_officer_id, attribution_disagrees) "
          "VALUES (?, ?, ?, ?, ?, 'copying', ?, ?, ?)",
          doing)
        .bind(key.device_id, static_cast<std::int64_t>(key.handle), Blob{key.name},
              static_cast<std::int64_t>(key.size), key.captured_unix_s, officer,
              clean_camera_officer_id, disagrees ? 1 : 0)
        .run();
    auto row = recording(sqlite3_last_insert_rowid(db_));
    transaction.commit();
    if (!row) throw_catalog(stmts_->file, doing, "the row vanished after it was written");
    return *row;
}

std::vector<RecordingRow> Catalog::archived_lookalikes(const RecordingKey& sighting,
                                                       bool size_known) const {
    Query query(db_, stmts_.get(), stmts_->file,
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
    Query query(db_, stmts_.get(), stmts_->file,
                "SELECT id, device_id, handle, name, size, captured_unix_s, state, sha256, "
                "archive_path, archived_at, wiped_at, officer, camera_officer_id, "
                "attribution_disagrees FROM recordings WHERE id = ?",
                "looking up recording " + std::to_string(id));
    query.bind(id);
    if (!query.step()) return std::nullopt;
    return read_recording(query);
}

std::vector<RecordingRow> Catalog::recordings() const {
    Query query(db_, stmts_.get(), stmts_->file,
                "SELECT id, device_id, handle, name, size, captured_unix_s, state, sha256, "
                "archive_path, archived_at, wiped_at, officer, camera_officer_id, "
                "attribution_disagrees FROM recordings ORDER BY id",
                "listing recordings");
    std::vector<RecordingRow> rows;
    while (query.step()) rows.push_back(read_recording(query));
    return rows;
}

std::vector<RecordingRow> Catalog::recordings_in_state(RecordingState state) const {
    Query query(db_, stmts_.get(), stmts_->file,
                "SELECT id, device_id, handle, name, size, captured_unix_s, state, sha256, "
                "archive_path, archived_at, wiped_at, officer, camera_officer_id, "
                "attribution_disagrees FROM recordings WHERE state = ? ORDER BY id",
                std::string("listing ") + to_string(state) + " recordings");
    query.bind(to_string(state));
    std::vector<RecordingRow> rows;
    while (query.step()) rows.push_back(read_recording(query));
    return rows;
}

namespace {
// The state a transition starts from; throws if the row is missing or elsewhere.
void require_state(const std::optional<RecordingRow>& row, std::int64_t id, RecordingState expected,
                   const std::string& file, const std::string& doing) {
    if (!row) throw_catalog(file, doing, "there is no recording " + std::to_string(id));
    if (row->state != expected) {
        throw_catalog(file, doing,
                      "recording " + std::to_string(id) + " is " + to_string(row->state) +
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
        throw_catalog(stmts_->file, doing, "the recording size is out of range");
    }
    if (!is_sha256_hex(sha256_hex)) {
        throw_catalog(stmts_->file, doing, "the SHA-256 is not 64 lower-case hex digits");
    }
    if (!record_sha256_hex.empty() && !is_sha256_hex(record_sha256_hex)) {
        throw_catalog(stmts_->file, doing, "the record's SHA-256 is not 64 lower-case hex digits");
    }
    if (archive_path.size() > kMaxArchivePathBytes || !is_archive_relative_path(archive_path)) {
        throw_catalog(
            stmts_->file, doing,
            "the archive path '" + sanitize_text(archive_path) + "' is not a plain relative path");
    }
    Transaction transaction(db_, stmts_->file, doing);
    const auto row = recording(id);
    require_state(row, id, RecordingState::copying, stmts_->file, doing);
    if (archived_size && *archived_size > row->key.size) {
        throw_catalog(stmts_->file, doing,
                      "the archived size is larger than the bound the copy was begun with");
    }
    RecordingKey archived_key = row->key;
    if (archived_size) archived_key.size = *archived_size;
    for (const RecordingRow& other : archived_lookalikes(archived_key)) {
        if (other.sha256_hex == sha256_hex) {
            throw_catalog(
                stmts_->file, doing,
                "the same recording is archived already as recording " + std::to_string(other.id));
        }
    }
    Query(db_, stmts_.get(), stmts_->file,
          "UPDATE recordings SET state = 'archived', sha256 = ?, archive_path = ?, "
          "archived_at = ? WHERE id = ?",
          doing)
        .bind(sha256_hex, archive_path, now, id)
        .run();
    if (!record_sha256_hex.empty()) {
        Query(db_, stmts_.get(), stmts_->file,
              "UPDATE recordings SET record_sha256 = ? WHERE id = ?", doing)
            .bind(record_sha256_hex, id)
            .run();
    }
    if (archived_size) {
        Query(db_, stmts_.get(), stmts_->file, "UPDATE recordings SET size = ? WHERE id = ?", doing)
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
    Transaction transaction(db_, stmts_->file, doing);
    require_state(recording(id), id, RecordingState::archived, stmts_->file, doing);
    Query(db_, stmts_.get(), stmts_->file,
          "UPDATE recordings SET state = 'wiped', wiped_at = ? WHERE id = ?", doing)
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
    Transaction transaction(db_, stmts_->file, doing);
    auto row = recording(id);
    if (!row) {
        // Already gone: recovery may run more than once.
        transaction.commit();
        return;
    }
    require_state(row, id, RecordingState::copying, stmts_->file, doing);
    Query(db_, stmts_.get(), stmts_->file,
          "DELETE FROM recordings WHERE id = ? AND state = 'copying'", doing)
        .bind(id)
        .run();
    transaction.commit();
}

// ---- Dock sessions, health checks, clock syncs ---------------------------------------------

std::int64_t Catalog::begin_dock(std::int64_t device_id, int bay, std::int64_t now) {
    std::string doing =
        "recording device " + std::to_string(device_id) + " docked in bay " + std::to_string(bay);
    Transaction transaction(db_, stmts_->file, doing);
    Query(db_, stmts_.get(), stmts_->file,
          "INSERT INTO dock_sessions (device_id, bay, started_at) VALUES (?, ?, ?)", doing)
        .bind(device_id, bay, now)
        .run();
    std::int64_t id = sqlite3_last_insert_rowid(db_);
    transaction.commit();
    return id;
}

void Catalog::end_dock(std::int64_t dock_id, std::int64_t now, const std::string& outcome) {
    std::string doing = "ending dock session " + std::to_string(dock_id);
    Transaction transaction(db_, stmts_->file, doing);
    end_dock_in_transaction(dock_id, now, outcome, doing);
    transaction.commit();
}

void Catalog::end_dock_with_verdict(std::int64_t dock_id, std::int64_t now,
                                    const std::string& outcome, bool ready,
                                    const AuditEvent& audit) {
    std::string doing = "ending dock session " + std::to_string(dock_id) + " with its verdict";
    Transaction transaction(db_, stmts_->file, doing);
    const std::int64_t device_id = end_dock_in_transaction(dock_id, now, outcome, doing);
    insert_readiness(device_id, dock_id, now, ready, outcome, doing);
    append_audit(audit, now, doing);
    transaction.commit();
}

std::int64_t Catalog::end_dock_in_transaction(std::int64_t dock_id, std::int64_t now,
                                              const std::string& outcome,
                                              const std::string& doing) {
    Query(db_, stmts_.get(), stmts_->file,
          "UPDATE dock_sessions SET ended_at = ?, outcome = ? WHERE id = ? AND ended_at IS NULL",
          doing)
        .bind(now, sanitize_text(outcome, kMaxOutcomeBytes), dock_id)
        .run();
    const bool ended = sqlite3_changes(db_) != 0;
    Query dock(db_, stmts_.get(), stmts_->file, "SELECT device_id FROM dock_sessions WHERE id = ?",
               doing);
    dock.bind(dock_id);
    const bool exists = dock.step();
    if (!ended) {
        throw_catalog(stmts_->file, doing,
                      exists ? "it has already ended" : "there is no such dock session");
    }
    return dock.integer(0);
}

void Catalog::close_open_docks(std::int64_t now) {
    std::string doing = "closing dock sessions left open";
    Transaction transaction(db_, stmts_->file, doing);
    Query(db_, stmts_.get(), stmts_->file,
          "UPDATE dock_sessions SET ended_at = ?, outcome = 'interrupted' WHERE ended_at IS NULL",
          doing)
        .bind(now)
        .run();
    transaction.commit();
}

std::vector<DockSessionRow> Catalog::dock_sessions() const {
    Query query(db_, stmts_.get(), stmts_->file,
                "SELECT id, device_id, bay, started_at, ended_at, outcome FROM dock_sessions "
                "ORDER BY id",
                "listing dock sessions");
    std::vector<DockSessionRow> rows;
    while (query.step()) {
        DockSessionRow row;
        row.id = query.integer(0);
        row.device_id = query.integer(1);
        row.bay = static_cast<int>(query.integer(2));
        row.started_at = query.integer(3);
        row.ended_at = query.is_null(4) ? 0 : query.integer(4);
        row.outcome = query.text(5);
        rows.push_back(std::move(row));
    }
    return rows;
}

void Catalog::add_health_check(const HealthCheckRow& row) {
    std::string doing =
        "recording a health check of dock session " + std::to_string(row.dock_session_id);
    insert_health_check(row, doing);
}

void Catalog::insert_health_check(const HealthCheckRow& row, const std::string& doing) {
    Query(db_, stmts_.get(), stmts_->file,
          "INSERT INTO health_checks (dock_session_id, at, battery_percent, charging, faults, "
          "storage_total_bytes, storage_free_bytes) VALUES (?, ?, ?, ?, ?, ?, ?)",
          doing)
        .bind(row.dock_session_id, row.at, row.battery_percent, row.charging ? 1 : 0,
              sanitize_text(row.faults, kMaxDetailBytes),
              static_cast<std::int64_t>(row.storage_total_bytes),
              static_cast<std::int64_t>(row.storage_free_bytes))
        .run();
}

std::vector<HealthCheckRow> Catalog::health_checks() const {
    Query query(db_, stmts_.get(), stmts_->file,
                "SELECT dock_session_id, at, battery_percent, charging, faults, "
                "storage_total_bytes, storage_free_bytes FROM health_checks ORDER BY id",
                "listing health checks");
    std::vector<HealthCheckRow> rows;
    while (query.step()) {
        HealthCheckRow row;
        row.dock_session_id = query.integer(0);
        row.at = query.integer(1);
        row.battery_percent = static_cast<int>(query.integer(2));
        row.charging = query.integer(3) != 0;
        row.faults = query.text(4);
        row.storage_total_bytes = static_cast<std::uint64_t>(query.integer(5));
        row.storage_free_bytes = static_cast<std::uint64_t>(query.integer(6));
        rows.push_back(std::move(row));
    }
    return rows;
}

void Catalog::add_clock_sync(const ClockSyncRow& row) {
    std::string doing =
        "recording a clock sync of dock session " + std::to_string(row.dock_session_id);
    Query(db_, stmts_.get(), stmts_->file,
          "INSERT INTO clock_syncs (dock_session_id, at, drift_ms, corrected, note) "
          "VALUES (?, ?, ?, ?, ?)",
          doing)
        .bind(row.dock_session_id, row.at, row.drift_ms, row.corrected ? 1 : 0,
              sanitize_text(row.note, kMaxDetailBytes))
        .run();
}

std::vector<ClockSyncRow> Catalog::clock_syncs() const {
    Query query(db_, stmts_.get(), stmts_->file,
                "SELECT dock_session_id, at, drift_ms, corrected, note FROM clock_syncs "
                "ORDER BY id",
                "listing clock syncs");
    std::vector<ClockSyncRow> rows;
    while (query.step()) {
        ClockSyncRow row;
        row.dock_session_id = query.integer(0);
        row.at = query.integer(1);
        row.drift_ms = query.integer(2);
        row.corrected = query.integer(3) != 0;
        row.note = query.text(4);
        rows.push_back(std::move(row));
    }
    return rows;
}

// ---- Readiness -----------------------------------------------------------------------------

void Catalog::add_readiness(const ReadinessRow& row) {
    const std::string clean_serial = sanitize_text(row.serial, kMaxIdentityBytes);
    const std::string doing = "recording the readiness of device " + clean_serial;
    insert_readiness(device_id_of(clean_serial, doing), row.dock_session_id, row.at, row.ready,
                     row.verdict, doing);
}

void Catalog::record_recheck(const HealthCheckRow& health, const ReadinessRow& readiness,
                             const AuditEvent& audit, std::int64_t now) {
    const std::string clean_serial = sanitize_text(readiness.serial, kMaxIdentityBytes);
    const std::string doing = "recording the rechecked readiness of device " + clean_serial;
    Transaction transaction(db_, stmts_->file, doing);
    const std::int64_t device_id = device_id_of(clean_serial, doing);
    HealthCheckRow reading = health;
    reading.at = now;
    insert_health_check(reading, doing);
    insert_readiness(device_id, readiness.dock_session_id, now, readiness.ready, readiness.verdict,
                     doing);
    append_audit(audit, now, doing);
    transaction.commit();
}

std::int64_t Catalog::device_id_of(const std::string& clean_serial,
                                   const std::string& doing) const {
    Query device(db_, stmts_.get(), stmts_->file, "SELECT id FROM devices WHERE serial = ?", doing);
    device.bind(clean_serial);
    if (!device.step()) throw_catalog(stmts_->file, doing, "no such device");
    return device.integer(0);
}

void Catalog::insert_readiness(std::int64_t device_id, std::int64_t dock_session_id,
                               std::int64_t at, bool ready, const std::string& verdict,
                               const std::string& doing) {
    // No dock (0) is stored as NULL, so the foreign key holds.
    std::optional<std::int64_t> dock;
    if (dock_session_id != 0) dock = dock_session_id;
    Query(db_, stmts_.get(), stmts_->file,
          "INSERT INTO readiness (device_id, dock_session_id, at, ready, verdict) "
          "VALUES (?, ?, ?, ?, ?)",
          doing)
        .bind(device_id, dock, at, ready ? 1 : 0, sanitize_text(verdict, kMaxOutcomeBytes))
        .run();
}

namespace {
ReadinessRow read_readiness(const Query& query) {
    ReadinessRow row;
    row.serial = query.text(0);
    row.dock_session_id = query.is_null(1) ? 0 : query.integer(1);
    row.at = query.integer(2);
    row.ready = query.integer(3) != 0;
    row.verdict = query.text(4);
    return row;
}
}  // namespace

std::optional<ReadinessRow> Catalog::latest_readiness(const std::string& serial) const {
    const std::string clean_serial = sanitize_text(serial, kMaxIdentityBytes);
    Query query(db_, stmts_.get(), stmts_->file,
                "SELECT d.serial, r.dock_session_id, r.at, r.ready, r.verdict FROM readiness r "
                "JOIN devices d ON d.id = r.device_id WHERE d.serial = ? "
                "ORDER BY r.at DESC, r.id DESC LIMIT 1",
                "reading the readiness of device " + clean_serial);
    query.bind(clean_serial);
    if (!query.step()) return std::nullopt;
    return read_readiness(query);
}

std::vector<ReadinessRow> Catalog::readiness_history(const std::string& serial) const {
    const std::string clean_serial = sanitize_text(serial, kMaxIdentityBytes);
    Query query(db_, stmts_.get(), stmts_->file,
                "SELECT d.serial, r.dock_session_id, r.at, r.ready, r.verdict FROM readiness r "
                "JOIN devices d ON d.id = r.device_id WHERE d.serial = ? ORDER BY r.at, r.id",
                "reading the readiness history of device " + clean_serial);
    query.bind(clean_serial);
    std::vector<ReadinessRow> rows;
    while (query.step()) rows.push_back(read_readiness(query));
    return rows;
}

// ---- Officers' roster ----------------------------------------------------------------------

std::size_t Catalog::upsert_officers(const std::vector<OfficerRow>& officers, std::int64_t now,
                                     const std::string& changed_by) {
    const std::string doing = "updating the officers' roster";
    std::vector<OfficerRow> clean;
    clean.reserve(officers.size());
    // Every entry is checked before anything is written: a bad line changes nothing.
    for (std::size_t i = 0; i < officers.size(); ++i) {
        OfficerRow row;
        row.badge = sanitize_text(trimmed(officers[i].badge), kMaxIdentityBytes);
        row.name = sanitize_text(trimmed(officers[i].name), kMaxIdentityBytes);
        row.team = sanitize_text(trimmed(officers[i].team), kMaxIdentityBytes);
        row.updated_at = now;
        if (blank(row.badge)) {
            throw_catalog(stmts_->file, doing,
                          "officer " + std::to_string(i + 1) +
                              " of the list has a blank ID (badge): every officer needs one");
        }
        if (blank(row.name)) {
            throw_catalog(stmts_->file, doing,
                          "officer " + std::to_string(i + 1) + " of the list (ID " + row.badge +
                              ") has a blank name: every officer needs one");
        }
        // The roster compares IDs ignoring case: two entries of one ID would leave whichever
        // came last, silently.
        for (std::size_t j = 0; j < clean.size(); ++j) {
            if (officer_comparison_form(clean[j].badge) == officer_comparison_form(row.badge)) {
                throw_catalog(stmts_->file, doing,
                              "officers " + std::to_string(j + 1) + " (ID " + clean[j].badge +
                                  ") and " + std::to_string(i + 1) + " (ID " + row.badge +
                                  ") of the list have the same ID (IDs ignore case and "
                                  "surrounding spaces): list each officer once");
            }
        }
        clean.push_back(std::move(row));
    }
    const std::string clean_by = sanitize_text(changed_by);
    Transaction transaction(db_, stmts_->file, doing);
    std::size_t changed = 0;
    for (const OfficerRow& row : clean) {
        Query existing(db_, stmts_.get(), stmts_->file,
                       "SELECT name, team FROM officers WHERE badge = ?", doing);
        existing.bind(row.badge);
        const bool known = existing.step();
        const std::string was_name = known ? existing.text(0) : "";
        const std::string was_team = known ? existing.text(1) : "";
        if (known && was_name == row.name && was_team == row.team) continue;
        Query(db_, stmts_.get(), stmts_->file,
              "INSERT INTO officers (badge, name, team, updated_at) VALUES (?, ?, ?, ?) "
              "ON CONFLICT (badge) DO UPDATE SET name = excluded.name, team = excluded.team, "
              "updated_at = excluded.updated_at",
              doing)
            .bind(row.badge, row.name, row.team, now)
            .run();
        std::string detail = "badge=" + row.badge + "; name=" + row.name + "; team=" + row.team;
        if (known) detail += "; was name=" + was_name + ", team=" + was_team;
        detail += "; by=" + clean_by;
        append_audit(AuditEvent{known ? "officer.changed" : "officer.added", 0, "", 0, detail}, now,
                     doing);
        ++changed;
    }
    transaction.commit();
    return changed;
}

std::vector<OfficerRow> Catalog::officers() const {
    Query query(db_, stmts_.get(), stmts_->file,
                "SELECT badge, name, team, updated_at FROM officers ORDER BY badge",
                "listing the officers' roster");
    std::vector<OfficerRow> rows;
    while (query.step()) {
        OfficerRow row;
        row.badge = query.text(0);
        row.name = query.text(1);
        row.team = query.text(2);
        row.updated_at = query.integer(3);
        rows.push_back(std::move(row));
    }
    return rows;
}

// ---- Audit log -----------------------------------------------------------------------------

void Catalog::audit(const AuditEvent& event, std::int64_t now) {
    std::string doing = "appending audit event " + sanitize_text(event.event, kMaxEventBytes);
    Transaction transaction(db_, stmts_->file, doing);
    append_audit(event, now, doing);
    transaction.commit();
}

void Catalog::append_audit(const AuditEvent& event, std::int64_t now, const std::string& doing) {
    AuditRow row;
    row.seq = 1;
    row.prev_hash_hex = std::string(kGenesisHash);
    {
        Query last(db_, stmts_.get(), stmts_->file,
                   "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", doing);
        if (last.step()) {
            row.seq = last.integer(0) + 1;
            row.prev_hash_hex = last.text(1);
        }
    }
    row.at = now;
    row.event = sanitize_text(event.event, kMaxEventBytes);
    row.bay = event.bay;
    row.device_serial = sanitize_text(event.device_serial, kMaxIdentityBytes);
    row.recording_id = event.recording_id;
    row.detail = sanitize_text(event.detail, kMaxDetailBytes);
    row.hash_hex = audit_hash(row);
    Query(db_, stmts_.get(), stmts_->file,
          "INSERT INTO audit (seq, at, event, bay, device_serial, recording_id, detail, "
          "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
          doing)
        .bind(row.seq, row.at, row.event, row.bay, row.device_serial, row.recording_id, row.detail,
              row.prev_hash_hex, row.hash_hex)
        .run();
    if (stmts_->audit_sink) {
        // Rows of a transaction that rolled back without the rollback hook seeing it (never
        // expected) are superseded by the row that now takes their seq.
        auto& pending = stmts_->pending_audit;
        while (!pending.empty() && pending.back().seq >= row.seq) pending.pop_back();
        pending.push_back(std::move(row));
    }
}

std::vector<AuditRow> Catalog::audit_rows() const {
    Query query(db_, stmts_.get(), stmts_->file,
                "SELECT seq, at, event, bay, device_serial, recording_id, detail, prev_hash, "
                "hash FROM audit ORDER BY seq",
                "reading the audit log");
    std::vector<AuditRow> rows;
    while (query.step()) rows.push_back(read_audit(query));
    return rows;
}

std::string Catalog::audit_hash(const AuditRow& row) {
    // Every field length-prefixed, so no two different rows encode to the same bytes.
    Sha256 sha;
    append_length_prefixed(sha, "cradled audit v1");
    append_length_prefixed(sha, row.prev_hash_hex);
    append_length_prefixed(sha, std::to_string(row.seq));
    append_length_prefixed(sha, std::to_string(row.at));
    append_length_prefixed(sha, row.event);
    append_length_prefixed(sha, std::to_string(row.bay));
    append_length_prefixed(sha, row.device_serial);
    append_length_prefixed(sha, std::to_string(row.recording_id));
    append_length_prefixed(sha, row.detail);
    return sha.hex_digest();
}

std::vector<std::string> Catalog::check_integrity() const {
    std::vector<std::string> problems;
    {
        Query query(db_, nullptr, stmts_->file, "PRAGMA integrity_check",
                    "checking the database's integrity");
        while (query.step()) {
            std::string line = query.text(0);
            if (line != "ok") problems.push_back("catalog integrity: " + sanitize_text(line, 512));
        }
    }
    {
        Query query(db_, nullptr, stmts_->file, "PRAGMA foreign_key_check",
                    "checking the catalog's foreign keys");
        while (query.step()) {
            problems.push_back("catalog foreign key: row " + std::to_string(query.integer(1)) +
                               " of " + sanitize_text(query.text(0), 64) + " refers to a missing " +
                               sanitize_text(query.text(2), 64) + " row");
        }
    }
    return problems;
}

// ---- The archive's record and journal (invariant I6) ---------------------------------------

std::string Catalog::last_record_hash(std::int64_t device_id) const {
    Query query(db_, stmts_.get(), stmts_->file,
                "SELECT record_sha256 FROM recordings WHERE device_id = ? AND record_sha256 != '' "
                "ORDER BY id DESC LIMIT 1",
                "reading the latest record hash of device " + std::to_string(device_id));
    query.bind(device_id);
    return query.step() ? query.text(0) : std::string();
}

std::map<std::int64_t, std::string> Catalog::record_hashes() const {
    Query query(db_, stmts_.get(), stmts_->file,
                "SELECT id, record_sha256 FROM recordings WHERE record_sha256 != ''",
                "reading the record hashes");
    std::map<std::int64_t, std::string> hashes;
    while (query.step()) hashes.emplace(query.integer(0), query.text(1));
    return hashes;
}

void Catalog::set_record_hash(std::int64_t id, const std::string& record_sha256_hex,
                              std::int64_t now) {
    const std::string doing = "recording the record hash of recording " + std::to_string(id);
    if (!is_sha256_hex(record_sha256_hex)) {
        throw_catalog(stmts_->file, doing, "the record's SHA-256 is not 64 lower-case hex digits");
    }
    Transaction transaction(db_, stmts_->file, doing);
    auto row = recording(id);
    if (!row || row->state == RecordingState::copying) {
        throw_catalog(stmts_->file, doing, "the recording is not archived");
    }
    {
        Query current(db_, stmts_.get(), stmts_->file,
                      "SELECT record_sha256 FROM recordings WHERE id = ?", doing);
        current.bind(id);
        if (current.step() && !current.text(0).empty()) {
            throw_catalog(stmts_->file, doing, "the recording has a record hash already");
        }
    }
    Query(db_, stmts_.get(), stmts_->file, "UPDATE recordings SET record_sha256 = ? WHERE id = ?",
          doing)
        .bind(record_sha256_hex, id)
        .run();
    append_audit(AuditEvent{"recording.record_written", 0, "", id,
                            "record=" + record_sha256_hex +
                                "; written for a recording archived before records were kept"},
                 now, doing);
    transaction.commit();
}

namespace {

// SQLite calls this after each commit in WAL mode, once the commit is durable
// (synchronous=FULL), so the sink never sees a row that could still be lost. Setting a WAL
// hook replaces SQLite's automatic checkpoint, which is therefore done here as SQLite does it.
int audit_after_commit(void* context, sqlite3* db, const char* name, int wal_pages) {
    auto* statements = static_cast<Catalog::AuditSinkContext*>(context);
    statements->flush();
    constexpr int kAutoCheckpointPages = 1000;
    if (wal_pages >= kAutoCheckpointPages) {
        sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    }
    return SQLITE_OK;
}

void audit_rolled_back(void* context) {
    static_cast<Catalog::AuditSinkContext*>(context)->discard();
}

}  // namespace

void Catalog::AuditSinkContext::flush() noexcept {
    Statements& statements = *owner;
    if (statements.pending_audit.empty() || !statements.audit_sink) return;
    std::vector<AuditRow> rows = std::move(statements.pending_audit);
    statements.pending_audit.clear();
    try {
        statements.audit_sink(rows);
    } catch (...) {
        // The sink reports its own failures; the journal is caught up at the next start.
    }
}

void Catalog::AuditSinkContext::discard() noexcept {
    owner->pending_audit.clear();
}

void Catalog::set_audit_sink(std::function<void(const std::vector<AuditRow>&)> sink) {
    stmts_->pending_audit.clear();
    stmts_->audit_sink = std::move(sink);
    if (!stmts_->audit_sink) {
        sqlite3_wal_hook(db_, nullptr, nullptr);
        sqlite3_wal_autocheckpoint(db_, 1000);
        sqlite3_rollback_hook(db_, nullptr, nullptr);
        sink_context_.reset();
        return;
    }
    sink_context_ = std::make_unique<AuditSinkContext>();
    sink_context_->owner = stmts_.get();
    sqlite3_wal_hook(db_, audit_after_commit, sink_context_.get());
    sqlite3_rollback_hook(db_, audit_rolled_back, sink_context_.get());
}

Catalog::AuditPeek Catalog::peek_audit(const std::filesystem::path& file, std::int64_t seq,
                                       const char* vfs) {
    const std::string name = file.string();
    const std::string doing = "reading the end of the audit log";
    // Read-write without create: a catalog left by a crash may need its WAL recovered, and a
    // missing file must stay missing.
    DatabasePtr db = open_database(name, name, SQLITE_OPEN_READWRITE, vfs);
    AuditPeek peek;
    {
        Query table(db.get(), nullptr, name,
                    "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'audit'", doing);
        if (!table.step()) return peek;
    }
    {
        Query last(db.get(), nullptr, name, "SELECT max(seq) FROM audit", doing);
        if (last.step() && !last.is_null(0)) peek.last_seq = last.integer(0);
    }
    if (seq > 0) {
        Query at(db.get(), nullptr, name, "SELECT hash FROM audit WHERE seq = ?", doing);
        at.bind(seq);
        if (at.step()) peek.hash_at_seq = at.text(0);
    }
    return peek;
}

void Catalog::restore_from_archive(const std::vector<DeviceRow>& devices,
                                   const std::vector<RestoredRecording>& recordings,
                                   const std::vector<AuditRow>& audit, const std::string& detail,
                                   std::int64_t now) {
    const std::string doing = "rebuilding the catalog from the archive";
    Transaction transaction(db_, stmts_->file, doing);
    {
        Query count(db_, nullptr, stmts_->file,
                    "SELECT (SELECT count(*) FROM devices) + (SELECT count(*) FROM recordings) + "
                    "(SELECT count(*) FROM audit)",
                    doing);
        if (count.step() && count.integer(0) != 0) {
            throw_catalog(stmts_->file, doing, "the catalog is not empty");
        }
    }
    for (const DeviceRow& device : devices) {
        Query(db_, nullptr, stmts_->file,
              "INSERT INTO devices (id, serial, manufacturer, model, firmware, first_seen, "
              "last_seen) VALUES (?, ?, ?, ?, ?, ?, ?)",
              doing)
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
            throw_catalog(stmts_->file, doing,
                          "recording " + std::to_string(row.id) + " is not valid");
        }
        Query(db_, nullptr, stmts_->file,
              "INSERT INTO recordings (id, device_id, handle, name, size, captured_unix_s, state, "
              "sha256, archive_path, archived_at, wiped_at, officer, camera_officer_id, "
              "attribution_disagrees, record_sha256) "
              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?, 0, ?)",
              doing)
            .bind(row.id, row.key.device_id, static_cast<std::int64_t>(row.key.handle),
                  Blob{row.key.name}, static_cast<std::int64_t>(row.key.size),
                  row.key.captured_unix_s, to_string(row.state), row.sha256_hex, row.archive_path,
                  row.archived_at, row.wiped_at,
                  sanitize_text(row.camera_officer_id, kMaxIdentityBytes),
                  restored.record_sha256_hex)
            .run();
    }
    for (const AuditRow& row : audit) {
        Query(db_, nullptr, stmts_->file,
              "INSERT INTO audit (seq, at, event, bay, device_serial, recording_id, detail, "
              "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
              doing)
            .bind(row.seq, row.at, row.event, row.bay, row.device_serial, row.recording_id,
                  row.detail, row.prev_hash_hex, row.hash_hex)
            .run();
    }
    append_audit(AuditEvent{"catalog.rebuilt", 0, "", 0, detail}, now, doing);
    transaction.commit();
}

}  // namespace cradle
