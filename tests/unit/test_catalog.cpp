// SPDX-License-Identifier: Apache-2.0
#include "common/sha256.hpp"
#include "core/catalog/catalog.hpp"
#include "tests/support/catalog_rows.hpp"
#include "tests/support/sqlite_fault_vfs.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace cradle {
namespace {

using test::SqliteFaultVfs;
using test::TempDir;

constexpr std::int64_t kNow = 1714557600;  // 2024-05-01T10:00:00Z
const std::string kSha = Sha256::hex_of("footage");

// A plain SQLite connection, to look at (or tamper with) the catalog behind its back.
class RawDb {
  public:
    explicit RawDb(const std::filesystem::path& file, bool create = false) {
        sqlite3* raw = nullptr;
        int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
        int rc = sqlite3_open_v2(file.c_str(), &raw, flags, nullptr);
        db_.reset(raw);
        if (rc != SQLITE_OK) throw std::runtime_error("cannot open " + file.string());
    }
    // Returns the error message, or "" on success.
    std::string exec(const std::string& sql) {
        char* error = nullptr;
        int rc = sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, &error);
        std::string message = error != nullptr ? error : (rc == SQLITE_OK ? "" : "failed");
        sqlite3_free(error);
        return message;
    }
    std::string text(const std::string& sql) {
        sqlite3_stmt* raw = nullptr;
        if (sqlite3_prepare_v2(db_.get(), sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) {
            throw std::runtime_error(sqlite3_errmsg(db_.get()));
        }
        std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> stmt(raw, sqlite3_finalize);
        if (sqlite3_step(stmt.get()) != SQLITE_ROW) return {};
        const unsigned char* value = sqlite3_column_text(stmt.get(), 0);
        return value != nullptr ? reinterpret_cast<const char*>(value) : "";
    }

  private:
    struct Close {
        void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
    };
    std::unique_ptr<sqlite3, Close> db_;
};

class CatalogTest : public ::testing::Test {
  protected:
    std::filesystem::path file() const { return dir_.path() / "catalog.sqlite"; }

    RecordingKey key_for(const DeviceRow& device, std::uint32_t handle = 1,
                         std::string name = "VID_0001.MP4") {
        return RecordingKey{device.id, handle, std::move(name), 1000, kNow - 3600};
    }

    static AuditEvent archived_event(std::int64_t id) {
        return {"recording.archived", 2, "SN-1", id, "copied"};
    }

    static std::size_t count_events(const Catalog& catalog, const std::string& event,
                                    std::int64_t recording_id) {
        auto rows = catalog.audit_rows();
        return static_cast<std::size_t>(std::count_if(rows.begin(), rows.end(), [&](auto& row) {
            return row.event == event && row.recording_id == recording_id;
        }));
    }

    static void expect_chain_intact(const Catalog& catalog) {
        std::string previous(64, '0');
        std::int64_t seq = 0;
        for (const AuditRow& row : catalog.audit_rows()) {
            EXPECT_EQ(row.seq, ++seq);
            EXPECT_EQ(row.prev_hash_hex, previous) << "audit entry " << row.seq;
            EXPECT_EQ(Catalog::audit_hash(row), row.hash_hex) << "audit entry " << row.seq;
            previous = row.hash_hex;
        }
    }

    TempDir dir_;
};

TEST_F(CatalogTest, MigratesAnEmptyFileToTheCurrentSchemaInWalMode) {
    {
        Catalog catalog(file());
        EXPECT_EQ(catalog.schema_version(), Catalog::kSchemaVersion);
        EXPECT_TRUE(catalog.devices().empty());
        EXPECT_TRUE(catalog.audit_rows().empty());
    }
    RawDb raw(file());
    EXPECT_EQ(raw.text("PRAGMA journal_mode"), "wal");
    EXPECT_EQ(raw.text("SELECT version FROM schema_version"),
              std::to_string(Catalog::kSchemaVersion));
    for (const char* table :
         {"devices", "recordings", "dock_sessions", "health_checks", "clock_syncs", "audit",
          "register_from_configuration", "device_history", "officers", "readiness", "replication",
          "replication_journal"}) {
        EXPECT_EQ(
            raw.text(std::string("SELECT name FROM sqlite_schema WHERE name = '") + table + "'"),
            table);
    }
}

TEST_F(CatalogTest, ReopeningKeepsDataAndDoesNotMigrateAgain) {
    std::int64_t id = 0;
    {
        Catalog catalog(file());
        DeviceRow device = catalog.upsert_device("SN-1", "Maker", "BC-1", "1.0", kNow);
        id = catalog.begin_recording(key_for(device)).id;
        catalog.mark_archived(id, kSha, "2024/05/01/1/1.mp4", kNow, archived_event(id));
    }
    Catalog catalog(file());
    EXPECT_EQ(catalog.schema_version(), Catalog::kSchemaVersion);
    auto row = catalog.recording(id);
    ASSERT_TRUE(row);
    EXPECT_EQ(row->state, RecordingState::archived);
    EXPECT_EQ(row->sha256_hex, kSha);
    EXPECT_EQ(row->archive_path, "2024/05/01/1/1.mp4");
    EXPECT_EQ(row->archived_at, kNow);
    ASSERT_EQ(catalog.devices().size(), 1u);
    EXPECT_EQ(catalog.devices()[0].model, "BC-1");
    EXPECT_EQ(catalog.audit_rows().size(), 1u);
}

// Undoes what version 8 added (the confidentiality marks).
#define CRADLE_VERSION8_ADDITIONS "DROP TABLE confidential_marks; "
// Undoes what versions 7 and 8 added (the audit log's signatures, the marks).
#define CRADLE_VERSION7_ADDITIONS                                          \
    CRADLE_VERSION8_ADDITIONS                                              \
    "DROP INDEX audit_key_entries; ALTER TABLE audit DROP COLUMN key_id; " \
    "ALTER TABLE audit DROP COLUMN signature; "
// Undoes what versions 6 and 7 added (the central archive's backlog, the signatures).
#define CRADLE_VERSION6_ADDITIONS                              \
    CRADLE_VERSION7_ADDITIONS                                  \
    "DROP TABLE replication; DROP TABLE replication_journal; " \
    "DROP INDEX recordings_by_state_archived; "
// Undoes what versions 5 and 6 added (each recording's record hash, and the backlog).
#define CRADLE_VERSION5_ADDITIONS \
    CRADLE_VERSION6_ADDITIONS "ALTER TABLE recordings DROP COLUMN record_sha256; "

// Undoes what versions 4 to 6 added, turning a current catalog into one of version 3.
constexpr const char* kVersion4Additions = CRADLE_VERSION5_ADDITIONS
    "DROP TABLE readiness; DROP TABLE officers; "
    "DROP INDEX dock_sessions_by_device; DROP INDEX dock_sessions_by_start; "
    "DROP INDEX recordings_by_device_archived; DROP INDEX recordings_by_archived; "
    "DROP INDEX recordings_by_wiped; DROP INDEX recordings_by_device_wiped; "
    "DROP INDEX recordings_disagreeing; "
    "DROP INDEX health_checks_by_dock; DROP INDEX clock_syncs_by_dock; "
    "ALTER TABLE recordings DROP COLUMN officer; "
    "ALTER TABLE recordings DROP COLUMN camera_officer_id; "
    "ALTER TABLE recordings DROP COLUMN attribution_disagrees; ";

// Undoes what versions 3 and 4 added, turning a current catalog into one of version 2.
const std::string kVersion3Additions = std::string(kVersion4Additions) +
                                       "DROP TABLE device_history; "
                                       "ALTER TABLE devices DROP COLUMN retired; "
                                       "ALTER TABLE devices DROP COLUMN retired_at; ";

TEST_F(CatalogTest, MigratesAVersion1CatalogKeepingItsRows) {
    {
        Catalog catalog(file());
        catalog.register_device("SN-1", "Custodian A", "pool", "Head", kNow);
    }
    // What a catalog of version 1 looks like: no register_from_configuration table, and none of
    // version 3's history and retirement.
    ASSERT_EQ(RawDb(file()).exec(kVersion3Additions + "DROP TABLE register_from_configuration; "
                                                      "UPDATE schema_version SET version = 1"),
              "");
    Catalog catalog(file());
    EXPECT_EQ(catalog.schema_version(), Catalog::kSchemaVersion);
    EXPECT_EQ(catalog.find_device("SN-1")->custodian, "Custodian A");
    EXPECT_TRUE(catalog.apply_configured_registration("SN-1", "Custodian A", "pool", "Head", kNow));
    EXPECT_EQ(catalog.audit_rows().size(), 1u) << "the same entry again is no new event";
}

TEST_F(CatalogTest, RefusesACatalogNewerThanTheCodeNamingBothVersions) {
    { Catalog catalog(file()); }
    RawDb(file()).exec("UPDATE schema_version SET version = 9");
    for (int read_only = 0; read_only < 2; ++read_only) {
        try {
            if (read_only) {
                Catalog::open_read_only(file());
            } else {
                Catalog catalog(file());
            }
            ADD_FAILURE() << "a newer catalog was opened";
        } catch (const CatalogError& error) {
            std::string message = error.what();
            EXPECT_NE(message.find("version 9"), std::string::npos) << message;
            EXPECT_NE(message.find("(" + std::to_string(Catalog::kSchemaVersion) + ")"),
                      std::string::npos)
                << message;
        }
    }
    EXPECT_EQ(RawDb(file()).text("SELECT version FROM schema_version"), "9");
}

// The catalog names cameras, officers and custodians: never readable by every local user, even
// under a permissive umask, and an earlier version's world-readable file is closed.
TEST_F(CatalogTest, TheCatalogAndItsWalAreNotReadableByOtherUsers) {
    const mode_t previous = ::umask(0);
    auto mode_of = [](const std::filesystem::path& path) {
        struct stat status {};
        EXPECT_EQ(::stat(path.c_str(), &status), 0) << path;
        return status.st_mode & 0777;
    };
    {
        Catalog catalog(file());
        catalog.audit({"daemon.start", 0, "", 0, ""}, kNow);
        EXPECT_EQ(mode_of(file()), 0640u);
        EXPECT_EQ(mode_of(file().string() + "-wal"), 0640u);
    }
    ::chmod(file().c_str(), 0644);
    { Catalog catalog(file()); }
    EXPECT_EQ(mode_of(file()), 0640u);
    ::umask(previous);
}

TEST_F(CatalogTest, OpenReadOnlyNeverCreatesOrMigrates) {
    try {
        Catalog::open_read_only(file());
        ADD_FAILURE() << "opened a missing catalog";
    } catch (const CatalogError& error) {
        EXPECT_EQ(std::string(error.what()), "no catalog at " + file().string());
    }
    EXPECT_FALSE(std::filesystem::exists(file()));

    // An empty database is not a catalog, and is left as it is.
    { RawDb(file(), true).exec("CREATE TABLE unrelated (x)"); }
    EXPECT_THROW(Catalog::open_read_only(file()), CatalogError);
    EXPECT_EQ(RawDb(file()).text("SELECT count(*) FROM sqlite_schema WHERE name = 'devices'"), "0");
}

TEST_F(CatalogTest, OpenReadOnlyReadsWhileTheWriterHoldsTheCatalogAndCannotWrite) {
    Catalog writer(file());
    writer.upsert_device("SN-1", "Maker", "BC-1", "1.0", kNow);
    Catalog reader = Catalog::open_read_only(file());
    ASSERT_EQ(reader.devices().size(), 1u);
    writer.upsert_device("SN-2", "Maker", "BC-1", "1.0", kNow);
    EXPECT_EQ(reader.devices().size(), 2u);
    EXPECT_THROW(reader.upsert_device("SN-3", "Maker", "BC-1", "1.0", kNow), CatalogError);
    EXPECT_THROW(reader.audit({"test", 0, "", 0, ""}, kNow), CatalogError);
}

TEST_F(CatalogTest, OpenReadOnlyLeavesNoFilesBehindWhenNoWriterIsPresent) {
    std::filesystem::path odd_dir = dir_.path() / "state dir #1 %20?";
    std::filesystem::create_directories(odd_dir);
    std::filesystem::path odd_file = odd_dir / "catalog.sqlite";
    {
        Catalog writer(odd_file);
        writer.upsert_device("SN-1", "Maker", "BC-1", "1.0", kNow);
    }
    ASSERT_FALSE(std::filesystem::exists(odd_file.string() + "-wal"));
    {
        Catalog reader = Catalog::open_read_only(odd_file);
        EXPECT_EQ(reader.devices().size(), 1u);
        EXPECT_TRUE(reader.check_integrity().empty());
    }
    // Files created here by another user (the one running cradlectl) could lock out the daemon.
    EXPECT_FALSE(std::filesystem::exists(odd_file.string() + "-wal"));
    EXPECT_FALSE(std::filesystem::exists(odd_file.string() + "-shm"));
}

TEST_F(CatalogTest, OpenReadOnlySeesCommitsStillInTheWalAfterACrash) {
    { Catalog catalog(file()); }
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        int status = 1;
        try {
            auto* catalog = new Catalog(file());  // never closed: the process dies
            catalog->upsert_device("SN-1", "Maker", "BC-1", "1.0", kNow);
            status = 0;
        } catch (...) {
        }
        ::_exit(status);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    ASSERT_TRUE(std::filesystem::exists(file().string() + "-wal"));
    Catalog reader = Catalog::open_read_only(file());
    EXPECT_EQ(reader.devices().size(), 1u);
}

TEST_F(CatalogTest, EveryCopyGetsItsOwnRowAndTheBytesDecideWhichRecordingItIs) {
    Catalog catalog(file());
    DeviceRow device = catalog.upsert_device("SN-1", "Maker", "BC-1", "1.0", kNow);
    RecordingKey key = key_for(device);
    RecordingRow first = catalog.begin_recording(key);
    RecordingRow again = catalog.begin_recording(key);
    EXPECT_NE(first.id, again.id) << "a copy's row is not a recording's identity";
    EXPECT_EQ(first.state, RecordingState::copying);
    EXPECT_TRUE(catalog.archived_lookalikes(key).empty()) << "copies in progress prove nothing";

    catalog.mark_archived(first.id, kSha, "2024/05/01/1/1.mp4", kNow, archived_event(first.id));
    // The same bytes under the same name, size and time are the same recording: refused.
    EXPECT_THROW(
        catalog.mark_archived(again.id, kSha, "2024/05/01/1/2.mp4", kNow, archived_event(again.id)),
        CatalogError);
    EXPECT_EQ(catalog.recording(again.id)->state, RecordingState::copying);
    // Other bytes are another recording, however alike it looks.
    const std::string other_sha = Sha256::hex_of("other footage");
    catalog.mark_archived(again.id, other_sha, "2024/05/01/1/2.mp4", kNow,
                          archived_event(again.id));

    // Lookalikes ignore the handle (a camera may renumber its objects) and name every
    // archived recording that shares name, size and capture time.
    RecordingKey renumbered = key;
    renumbered.handle = 77;
    auto lookalikes = catalog.archived_lookalikes(renumbered);
    ASSERT_EQ(lookalikes.size(), 2u);
    EXPECT_EQ(lookalikes[0].sha256_hex, kSha);
    EXPECT_EQ(lookalikes[1].sha256_hex, other_sha);
    catalog.mark_wiped(first.id, kNow, AuditEvent{"recording.wiped", 1, "SN-1", first.id, ""});
    EXPECT_EQ(catalog.archived_lookalikes(key).size(), 2u) << "a wiped recording still counts";

    RecordingKey other_name = key;
    other_name.name = "VID_0002.MP4";
    RecordingKey other_size = key;
    other_size.size = 1001;
    RecordingKey other_time = key;
    other_time.captured_unix_s += 1;
    for (const RecordingKey& other : {other_name, other_size, other_time}) {
        EXPECT_TRUE(catalog.archived_lookalikes(other).empty());
    }
    // An object of unknown size may be any of them.
    EXPECT_EQ(catalog.archived_lookalikes(other_size, /*size_known=*/false).size(), 2u);
}

TEST_F(CatalogTest, BeginRecordingForAnUnknownDeviceFails) {
    Catalog catalog(file());
    EXPECT_THROW(catalog.begin_recording(RecordingKey{42, 1, "x", 1, kNow}), CatalogError);
    EXPECT_TRUE(catalog.recordings().empty());
}

TEST_F(CatalogTest, StateTransitionsFollowCopyingArchivedWiped) {
    Catalog catalog(file());
    DeviceRow device = catalog.upsert_device("SN-1", "Maker", "BC-1", "1.0", kNow);
    std::int64_t id = catalog.begin_recording(key_for(device)).id;

    EXPECT_THROW(catalog.mark_wiped(id, kNow, {"recording.wiped", 2, "SN-1", id, ""}),
                 CatalogError);
    EXPECT_THROW(
        catalog.mark_archived(id, "not-a-hash", "2024/05/01/1/1.mp4", kNow, archived_event(id)),
        CatalogError);
    EXPECT_THROW(catalog.mark_archived(id, kSha, "../../etc/passwd", kNow, archived_event(id)),
                 CatalogError);
    EXPECT_THROW(catalog.mark_archived(id, kSha, "/abs/1.mp4", kNow, archived_event(id)),
                 CatalogError);
    EXPECT_THROW(catalog.mark_archived(id + 100, kSha, "a/1.mp4", kNow, archived_event(id + 100)),
                 CatalogError);
    EXPECT_EQ(catalog.recording(id)->state, RecordingState::copying);
    EXPECT_TRUE(catalog.audit_rows().empty()) << "a refused transition left an audit row";

    catalog.mark_archived(id, kSha, "2024/05/01/1/1.mp4", kNow, archived_event(id));
    EXPECT_EQ(catalog.recording(id)->state, RecordingState::archived);
    EXPECT_THROW(
        catalog.mark_archived(id, kSha, "2024/05/01/1/1.mp4", kNow + 1, archived_event(id)),
        CatalogError);
    EXPECT_THROW(catalog.forget_copying(id), CatalogError);

    catalog.mark_wiped(id, kNow + 60, {"recording.wiped", 2, "SN-1", id, ""});
    auto wiped = catalog.recording(id);
    EXPECT_EQ(wiped->state, RecordingState::wiped);
    EXPECT_EQ(wiped->wiped_at, kNow + 60);
    EXPECT_EQ(wiped->archived_at, kNow);
    EXPECT_THROW(catalog.mark_wiped(id, kNow + 61, {"recording.wiped", 2, "SN-1", id, ""}),
                 CatalogError);
    EXPECT_THROW(catalog.forget_copying(id), CatalogError);

    EXPECT_EQ(count_events(catalog, "recording.archived", id), 1u);
    EXPECT_EQ(count_events(catalog, "recording.wiped", id), 1u);
    EXPECT_EQ(catalog.audit_rows().size(), 2u);
    EXPECT_EQ(catalog.recordings_in_state(RecordingState::wiped).size(), 1u);
    EXPECT_TRUE(catalog.recordings_in_state(RecordingState::copying).empty());
}

TEST_F(CatalogTest, ForgetCopyingRemovesOnlyTheCopyingRow) {
    Catalog catalog(file());
    DeviceRow device = catalog.upsert_device("SN-1", "Maker", "BC-1", "1.0", kNow);
    std::int64_t id = catalog.begin_recording(key_for(device)).id;
    catalog.forget_copying(id);
    EXPECT_FALSE(catalog.recording(id));
    catalog.forget_copying(id);  // recovery may repeat itself
    EXPECT_TRUE(catalog.recordings().empty());
}

TEST_F(CatalogTest, TheArchivedAuditEntryBindsTheHashAndPath) {
    Catalog catalog(file());
    DeviceRow device = catalog.upsert_device("SN-1", "Maker", "BC-1", "1.0", kNow);
    std::int64_t id = catalog.begin_recording(key_for(device)).id;
    catalog.mark_archived(id, kSha, "2024/05/01/1/1.mp4", kNow, archived_event(id));
    auto rows = catalog.audit_rows();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].event, "recording.archived");
    EXPECT_EQ(rows[0].recording_id, id);
    EXPECT_EQ(rows[0].bay, 2);
    EXPECT_EQ(rows[0].device_serial, "SN-1");
    EXPECT_EQ(rows[0].at, kNow);
    EXPECT_NE(rows[0].detail.find("sha256=" + kSha), std::string::npos) << rows[0].detail;
    EXPECT_NE(rows[0].detail.find("2024/05/01/1/1.mp4"), std::string::npos) << rows[0].detail;
}

TEST_F(CatalogTest, AuditChainRecomputesFromTheGenesisHash) {
    Catalog catalog(file());
    DeviceRow device = catalog.upsert_device("SN-1", "Maker", "BC-1", "1.0", kNow);
    catalog.register_device("SN-1", "Custodian A", "Officer 17", "Head of Unit", kNow);
    catalog.audit({"dock.start", 3, "SN-1", 0, "docked"}, kNow + 1);
    std::int64_t id = catalog.begin_recording(key_for(device)).id;
    catalog.mark_archived(id, kSha, "2024/05/01/1/1.mp4", kNow + 2, archived_event(id));
    catalog.mark_wiped(id, kNow + 3, {"recording.wiped", 3, "SN-1", id, ""});

    auto rows = catalog.audit_rows();
    ASSERT_EQ(rows.size(), 4u);
    EXPECT_EQ(rows[0].prev_hash_hex, std::string(64, '0'));
    expect_chain_intact(catalog);

    // Every field is covered by the hash.
    AuditRow changed = rows[1];
    changed.detail += "!";
    EXPECT_NE(Catalog::audit_hash(changed), rows[1].hash_hex);
    changed = rows[1];
    changed.bay = 4;
    EXPECT_NE(Catalog::audit_hash(changed), rows[1].hash_hex);
    changed = rows[1];
    changed.seq = 9;
    EXPECT_NE(Catalog::audit_hash(changed), rows[1].hash_hex);
    // Fields are length-prefixed: moving bytes from one field to the next changes the hash.
    changed = rows[1];
    changed.event = "dock.star";
    changed.device_serial = "t" + changed.device_serial;
    EXPECT_NE(Catalog::audit_hash(changed), rows[1].hash_hex);
}

TEST_F(CatalogTest, AuditTriggersRefuseUpdateAndDelete) {
    {
        Catalog catalog(file());
        catalog.audit({"dock.start", 1, "SN-1", 0, "docked"}, kNow);
    }
    RawDb raw(file());
    EXPECT_NE(raw.exec("UPDATE audit SET detail = 'forged' WHERE seq = 1").find("append-only"),
              std::string::npos);
    EXPECT_NE(raw.exec("DELETE FROM audit WHERE seq = 1").find("append-only"), std::string::npos);
    EXPECT_EQ(raw.text("SELECT detail FROM audit WHERE seq = 1"), "docked");
}

TEST_F(CatalogTest, HostileNamesAreStoredByteExactAsBlobs) {
    Catalog catalog(file());
    DeviceRow device = catalog.upsert_device("SN-1", "Maker", "BC-1", "1.0", kNow);
    const std::vector<std::string> names = {
        std::string("a\0b", 3), "../../etc/passwd",     "\x1b[31mred\x1b[0m\n", "\xff\xfe\xc0\xaf",
        std::string(),          std::string(3000, 'x'), "VID_0001.MP4",
    };
    std::uint32_t handle = 1;
    for (const std::string& name : names) {
        RecordingRow row = catalog.begin_recording(key_for(device, handle++, name));
        auto back = catalog.recording(row.id);
        ASSERT_TRUE(back);
        EXPECT_EQ(back->key.name, name);
        catalog.mark_archived(row.id, Sha256::hex_of(name), "2024/05/01/1/1.mp4", kNow,
                              archived_event(row.id));
        ASSERT_EQ(catalog.archived_lookalikes(back->key).size(), 1u);
        EXPECT_EQ(catalog.archived_lookalikes(back->key)[0].id, row.id);
    }
    EXPECT_EQ(catalog.recordings().size(), names.size());
    // "a\0b" and "a" are different names.
    RecordingRow a = catalog.begin_recording(key_for(device, 1, "a"));
    EXPECT_EQ(catalog.recordings().size(), names.size() + 1);
    EXPECT_EQ(catalog.recording(a.id)->key.name, "a");

    EXPECT_THROW(catalog.begin_recording(key_for(device, 99, std::string(5000, 'y'))),
                 CatalogError);

    RawDb raw(file());
    EXPECT_EQ(raw.text("SELECT group_concat(DISTINCT typeof(name)) FROM recordings"), "blob");
}

TEST_F(CatalogTest, DeviceIdentityIsSanitisedAndSightingsUpdateLastSeen) {
    Catalog catalog(file());
    DeviceRow first = catalog.upsert_device("SN\x1b[2J-1", "Ma\x07ker", "BC-1\n", "1.0", kNow);
    EXPECT_EQ(first.serial, "SN?[2J-1");
    EXPECT_EQ(first.manufacturer, "Ma?ker");
    EXPECT_EQ(first.model, "BC-1?");
    EXPECT_EQ(first.first_seen, kNow);
    DeviceRow again = catalog.upsert_device("SN\x1b[2J-1", "Maker", "BC-1", "1.1", kNow + 10);
    EXPECT_EQ(again.id, first.id);
    EXPECT_EQ(again.firmware, "1.1");
    EXPECT_EQ(again.first_seen, kNow);
    EXPECT_EQ(again.last_seen, kNow + 10);
    EXPECT_EQ(catalog.find_device("SN\x1b[2J-1")->id, first.id);
    EXPECT_EQ(catalog.upsert_device(std::string(500, 'S'), "", "", "", kNow).serial.size(), 128u);
    EXPECT_THROW(catalog.upsert_device("", "Maker", "BC-1", "1.0", kNow), CatalogError);
}

TEST_F(CatalogTest, RegisterDeviceIsAuditedOnceForEachChange) {
    Catalog catalog(file());
    DeviceRow registered = catalog.register_device("SN-9", "Custodian A", "pool", "Head", kNow);
    EXPECT_TRUE(registered.registered);
    EXPECT_EQ(registered.officer, "pool");
    EXPECT_EQ(registered.last_seen, 0) << "a device registered before it is seen has no sighting";
    ASSERT_EQ(catalog.audit_rows().size(), 1u);
    EXPECT_EQ(catalog.audit_rows()[0].event, "device.registered");
    EXPECT_EQ(catalog.audit_rows()[0].device_serial, "SN-9");

    catalog.register_device("SN-9", "Custodian A", "pool", "Head", kNow + 1);
    EXPECT_EQ(catalog.audit_rows().size(), 1u) << "an unchanged entry is not a new event";
    catalog.register_device("SN-9", "Custodian A", "Officer 17", "Head", kNow + 2);
    EXPECT_EQ(catalog.audit_rows().size(), 2u);
    EXPECT_EQ(catalog.find_device("SN-9")->officer, "Officer 17");

    DeviceRow seen = catalog.upsert_device("SN-9", "Maker", "BC-1", "1.0", kNow + 3);
    EXPECT_TRUE(seen.registered);
    EXPECT_EQ(seen.custodian, "Custodian A");
    EXPECT_EQ(seen.first_seen, kNow + 3);
    expect_chain_intact(catalog);
}

TEST_F(CatalogTest, RegisterAuditNamesWhoMadeTheChange) {
    Catalog catalog(file());
    catalog.register_device("SN-9", "Custodian A", "pool", "Head", kNow, "uid 1000 (lee)");
    ASSERT_EQ(catalog.audit_rows().size(), 1u);
    EXPECT_NE(catalog.audit_rows()[0].detail.find("by=uid 1000 (lee)"), std::string::npos)
        << catalog.audit_rows()[0].detail;
}

TEST_F(CatalogTest, ConfiguredEntryAppliesOnceAndDoesNotUndoALaterChange) {
    Catalog catalog(file());
    EXPECT_TRUE(catalog.apply_configured_registration("SN-9", "Custodian A", "pool", "Head", kNow));
    EXPECT_EQ(catalog.find_device("SN-9")->officer, "pool");
    // A custodian reassigns the camera over D-Bus; the service restarts with the same file.
    catalog.register_device("SN-9", "Custodian A", "Officer 17", "Head", kNow + 1, "uid 0");
    EXPECT_FALSE(
        catalog.apply_configured_registration("SN-9", "Custodian A", "pool", "Head", kNow + 2));
    EXPECT_EQ(catalog.find_device("SN-9")->officer, "Officer 17");
    // IT edits the file's entry: the edit takes effect.
    EXPECT_TRUE(
        catalog.apply_configured_registration("SN-9", "Custodian B", "pool", "Head", kNow + 3));
    EXPECT_EQ(catalog.find_device("SN-9")->custodian, "Custodian B");
    EXPECT_EQ(catalog.find_device("SN-9")->officer, "pool");
    EXPECT_NE(catalog.audit_rows().back().detail.find("by=configuration"), std::string::npos);
    EXPECT_THROW(catalog.apply_configured_registration("", "C", "pool", "H", kNow), CatalogError);
    expect_chain_intact(catalog);
}

TEST_F(CatalogTest, MigratesAVersion2CatalogKeepingItsRowsWithAnEmptyHistory) {
    {
        Catalog catalog(file());
        catalog.upsert_device("SN-1", "Maker", "BC-1", "1.0", kNow);
        catalog.register_device("SN-1", "Custodian A", "pool", "Head", kNow);
    }
    ASSERT_EQ(RawDb(file()).exec(kVersion3Additions + "UPDATE schema_version SET version = 2"), "");
    EXPECT_THROW(Catalog::open_read_only(file()), CatalogError) << "a reader never migrates";
    Catalog catalog(file());
    EXPECT_EQ(catalog.schema_version(), Catalog::kSchemaVersion);
    auto device = catalog.find_device("SN-1");
    ASSERT_TRUE(device);
    EXPECT_EQ(device->custodian, "Custodian A");
    EXPECT_EQ(device->model, "BC-1");
    EXPECT_FALSE(device->retired);
    EXPECT_TRUE(catalog.device_history().empty());
    catalog.assign_officer("SN-1", "Officer 17", kNow + 5, "uid 0");
    auto history = catalog.device_history("SN-1");
    ASSERT_EQ(history.size(), 1u);
    EXPECT_EQ(history[0].action, "reassigned");
    EXPECT_EQ(history[0].previous_officer, "pool");
}

// The recordings table of versions 1 to 4: one row per handle, name, size and capture time.
// A frozen copy on purpose, not built from schema.cpp's text: a migration test starts from the
// table as catalogs of version 4 hold it, and must not follow an edit of the code it tests.
constexpr const char* kVersion4Recordings = R"sql(
DROP TABLE confidential_marks;
DROP INDEX audit_key_entries;
ALTER TABLE audit DROP COLUMN key_id;
ALTER TABLE audit DROP COLUMN signature;
DROP TABLE replication;
DROP TABLE replication_journal;
CREATE TABLE recordings_v4 (
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
    attribution_disagrees INTEGER NOT NULL DEFAULT 0,
    UNIQUE (device_id, handle, name, size, captured_unix_s)
);
INSERT INTO recordings_v4 SELECT id, device_id, handle, name, size, captured_unix_s, state, sha256,
    archive_path, archived_at, wiped_at, officer, camera_officer_id, attribution_disagrees
    FROM recordings;
DROP TABLE recordings;
ALTER TABLE recordings_v4 RENAME TO recordings;
UPDATE schema_version SET version = 4;
)sql";

TEST_F(CatalogTest, MigratesAVersion4CatalogSoThatTheHandleIsNoLongerIdentity) {
    std::int64_t id = 0;
    RecordingKey key;
    {
        Catalog catalog(file());
        DeviceRow device = catalog.upsert_device("SN-1", "Maker", "BC-1", "1.0", kNow);
        key = key_for(device);
        id = catalog.begin_recording(key, "A17").id;
        catalog.mark_archived(id, kSha, "2024/05/01/1/1.mp4", kNow, archived_event(id));
    }
    ASSERT_EQ(RawDb(file()).exec(kVersion4Recordings), "");
    ASSERT_NE(RawDb(file()).exec("INSERT INTO recordings (device_id, handle, name, size, "
                                 "captured_unix_s, state) SELECT device_id, handle, name, size, "
                                 "captured_unix_s, 'copying' FROM recordings"),
              "")
        << "the version 4 table refuses a second row for one handle";
    Catalog catalog(file());
    EXPECT_EQ(catalog.schema_version(), Catalog::kSchemaVersion);
    auto row = catalog.recording(id);
    ASSERT_TRUE(row);
    EXPECT_EQ(row->state, RecordingState::archived);
    EXPECT_EQ(row->sha256_hex, kSha);
    EXPECT_EQ(row->camera_officer_id, "A17");
    // Another recording with the same handle, name, size and time, other bytes: its own row.
    RecordingRow lookalike = catalog.begin_recording(key);
    catalog.mark_archived(lookalike.id, Sha256::hex_of("other"), "2024/05/01/1/2.mp4", kNow,
                          archived_event(lookalike.id));
    EXPECT_EQ(catalog.archived_lookalikes(key).size(), 2u);
    expect_chain_intact(catalog);
}

TEST_F(CatalogTest, MigratesAVersion3CatalogGivingOldRecordingsNoAttribution) {
    std::int64_t id = 0;
    {
        Catalog catalog(file());
        DeviceRow device = catalog.upsert_device("SN-1", "Maker", "BC-1", "1.0", kNow);
        catalog.register_device("SN-1", "Custodian A", "Officer 17", "Head", kNow - 7200);
        id = catalog.begin_recording(key_for(device), "A17").id;
        catalog.mark_archived(id, kSha, "2024/05/01/1/1.mp4", kNow, archived_event(id));
        catalog.begin_dock(device.id, 1, kNow);
    }
    ASSERT_EQ(RawDb(file()).exec(std::string(kVersion4Additions) +
                                 "UPDATE schema_version SET version = 3"),
              "");
    EXPECT_THROW(Catalog::open_read_only(file()), CatalogError) << "a reader never migrates";
    {
        Catalog catalog(file());
        EXPECT_EQ(catalog.schema_version(), Catalog::kSchemaVersion);
        auto row = catalog.recording(id);
        ASSERT_TRUE(row);
        EXPECT_EQ(row->state, RecordingState::archived);
        EXPECT_EQ(row->sha256_hex, kSha);
        EXPECT_EQ(row->officer, "");
        EXPECT_EQ(row->camera_officer_id, "");
        EXPECT_FALSE(row->attribution_disagrees);
        EXPECT_EQ(catalog.device_history("SN-1").size(), 1u);
        EXPECT_TRUE(catalog.officers().empty());
        EXPECT_FALSE(test::latest_readiness(catalog, "SN-1"));
        // The new tables work at once.
        catalog.add_readiness(
            {"SN-1", catalog.dock_sessions()[0].id, kNow + 60, true, "ready for duty"});
        EXPECT_EQ(catalog.upsert_officers({{"A17", "Officer 17", "Team 1", 0}}, kNow, "uid 0"), 1u);
    }
    RawDb raw(file());
    for (const char* index :
         {"dock_sessions_by_device", "dock_sessions_by_start", "recordings_by_device_archived",
          "recordings_by_archived", "recordings_by_wiped", "recordings_by_device_wiped",
          "recordings_disagreeing", "health_checks_by_dock", "clock_syncs_by_dock",
          "readiness_by_device"}) {
        EXPECT_EQ(raw.text(std::string("SELECT name FROM sqlite_schema WHERE type = 'index' AND "
                                       "name = '") +
                           index + "'"),
                  index);
    }
    EXPECT_EQ(test::latest_readiness(Catalog::open_read_only(file()), "SN-1")->verdict,
              "ready for duty");
}

TEST_F(CatalogTest, EveryRegisterChangeIsOneDatedHistoryRowNamingWhoAndWhatWasBefore) {
    Catalog catalog(file());
    catalog.register_device("SN-9", "张伟", "pool", "王队长", kNow, "configuration");
    catalog.register_device("SN-9", "张伟", "pool", "王队长", kNow + 1, "uid 1000 (lee)");
    catalog.assign_officer("SN-9", "李娜", kNow + 2, "uid 1000 (lee)", "new shift");
    catalog.register_device("SN-9", "Custodian B", "李娜", "王队长", kNow + 3, "uid 0");

    auto history = catalog.device_history("SN-9");
    ASSERT_EQ(history.size(), 3u) << "an unchanged entry is not a change";
    EXPECT_EQ(history[0].action, "registered");
    EXPECT_EQ(history[0].at, kNow);
    EXPECT_EQ(history[0].changed_by, "configuration");
    EXPECT_EQ(history[0].custodian, "张伟");
    EXPECT_EQ(history[0].previous_custodian, "");

    EXPECT_EQ(history[1].action, "reassigned");
    EXPECT_EQ(history[1].at, kNow + 2);
    EXPECT_EQ(history[1].officer, "李娜");
    EXPECT_EQ(history[1].previous_officer, "pool");
    EXPECT_EQ(history[1].changed_by, "uid 1000 (lee)");
    EXPECT_EQ(history[1].reason, "new shift");

    EXPECT_EQ(history[2].action, "changed");
    EXPECT_EQ(history[2].custodian, "Custodian B");
    EXPECT_EQ(history[2].previous_custodian, "张伟");
    EXPECT_EQ(history[2].head, "王队长");
    EXPECT_EQ(history[2].changed_by, "uid 0");

    // Each history row has its audit row, written in the same transaction.
    EXPECT_EQ(catalog.audit_rows().size(), 3u);
    expect_chain_intact(catalog);
}

TEST_F(CatalogTest, HistoryIsFilteredByDeviceAndInclusiveTimeWindow) {
    Catalog catalog(file());
    catalog.register_device("SN-1", "C", "pool", "H", kNow);
    catalog.register_device("SN-2", "C", "pool", "H", kNow + 10);
    catalog.assign_officer("SN-1", "O1", kNow + 20, "uid 0");
    EXPECT_EQ(catalog.device_history().size(), 3u);
    EXPECT_EQ(catalog.device_history("SN-1").size(), 2u);
    EXPECT_EQ(catalog.device_history("", kNow + 10, kNow + 20).size(), 2u);
    EXPECT_EQ(catalog.device_history("", 0, kNow + 9).size(), 1u);
    EXPECT_EQ(catalog.device_history("SN-2", kNow + 11, 0).size(), 0u);
    EXPECT_TRUE(catalog.device_history("SN-UNKNOWN").empty());
}

TEST_F(CatalogTest, RetiringKeepsTheEntryAndIsReversedByRegisteringAgain) {
    Catalog catalog(file());
    catalog.register_device("SN-9", "Custodian A", "Officer 17", "Head", kNow);
    DeviceRow retired = catalog.retire_device("SN-9", "screen broken", kNow + 5, "uid 0");
    EXPECT_TRUE(retired.retired);
    EXPECT_EQ(retired.retired_at, kNow + 5);
    EXPECT_EQ(retired.custodian, "Custodian A");
    EXPECT_TRUE(retired.registered);
    // Retiring twice is no change.
    catalog.retire_device("SN-9", "again", kNow + 6, "uid 0");
    EXPECT_EQ(catalog.find_device("SN-9")->retired_at, kNow + 5);
    // A sighting does not bring it back into service.
    EXPECT_TRUE(catalog.upsert_device("SN-9", "Maker", "BC-1", "1.0", kNow + 7).retired);

    DeviceRow back = catalog.register_device("SN-9", "Custodian A", "Officer 17", "Head", kNow + 8,
                                             "uid 0", "repaired");
    EXPECT_FALSE(back.retired);
    EXPECT_EQ(back.retired_at, 0);

    auto history = catalog.device_history("SN-9");
    ASSERT_EQ(history.size(), 3u);
    EXPECT_EQ(history[1].action, "retired");
    EXPECT_EQ(history[1].reason, "screen broken");
    EXPECT_EQ(history[1].officer, "Officer 17") << "a retired entry keeps its names";
    EXPECT_EQ(history[2].action, "reinstated");
    EXPECT_EQ(history[2].reason, "repaired");
    auto audit = catalog.audit_rows();
    ASSERT_EQ(audit.size(), 3u);
    EXPECT_EQ(audit[1].event, "device.retired");
    EXPECT_NE(audit[1].detail.find("screen broken"), std::string::npos);
    expect_chain_intact(catalog);
}

TEST_F(CatalogTest, RetireAndAssignRefuseWhatTheyCannotDo) {
    Catalog catalog(file());
    EXPECT_THROW(catalog.retire_device("SN-NONE", "lost", kNow, "uid 0"), CatalogError);
    catalog.upsert_device("SN-SEEN", "Maker", "BC-1", "1.0", kNow);
    EXPECT_THROW(catalog.assign_officer("SN-SEEN", "O1", kNow, "uid 0"), CatalogError)
        << "an unregistered device has no entry to reassign";
    EXPECT_THROW(catalog.assign_officer("SN-NONE", "O1", kNow, "uid 0"), CatalogError);
    catalog.register_device("SN-1", "C", "pool", "H", kNow);
    EXPECT_THROW(catalog.retire_device("SN-1", "", kNow, "uid 0"), CatalogError)
        << "a retirement says why";
    EXPECT_FALSE(catalog.find_device("SN-1")->retired);
    EXPECT_EQ(catalog.device_history().size(), 1u);
    // A device seen but never registered can be retired (e.g. a found camera sent back).
    EXPECT_TRUE(catalog.retire_device("SN-SEEN", "not ours", kNow, "uid 0").retired);
}

TEST_F(CatalogTest, HistoryTriggersRefuseUpdateAndDelete) {
    {
        Catalog catalog(file());
        catalog.register_device("SN-1", "C", "pool", "H", kNow);
    }
    RawDb raw(file());
    EXPECT_NE(raw.exec("UPDATE device_history SET officer = 'x'"), "");
    EXPECT_NE(raw.exec("DELETE FROM device_history"), "");
    EXPECT_EQ(raw.text("SELECT officer FROM device_history"), "pool");
}

TEST_F(CatalogTest, DockSessionsHealthChecksAndClockSyncsRoundTrip) {
    Catalog catalog(file());
    DeviceRow device = catalog.upsert_device("SN-1", "Maker", "BC-1", "1.0", kNow);
    std::int64_t dock = catalog.begin_dock(device.id, 3, kNow);
    std::int64_t crashed = catalog.begin_dock(device.id, 4, kNow);
    catalog.add_health_check({dock, kNow + 1, 55, true, "lens; battery", 64ull << 30, 1ull << 30});
    catalog.add_clock_sync({dock, kNow + 2, -2500, true, ""});
    catalog.end_dock(dock, kNow + 100, "ready");
    EXPECT_THROW(catalog.end_dock(dock, kNow + 101, "ready"), CatalogError);
    EXPECT_THROW(catalog.end_dock(999, kNow + 101, "ready"), CatalogError);
    EXPECT_THROW(catalog.add_health_check({999, kNow, 1, false, "", 0, 0}), CatalogError);
    catalog.close_open_docks(kNow + 200);

    auto docks = catalog.dock_sessions();
    ASSERT_EQ(docks.size(), 2u);
    EXPECT_EQ(docks[0].bay, 3);
    EXPECT_EQ(docks[0].ended_at, kNow + 100);
    EXPECT_EQ(docks[0].outcome, "ready");
    EXPECT_EQ(docks[1].id, crashed);
    EXPECT_EQ(docks[1].ended_at, kNow + 200);
    EXPECT_EQ(docks[1].outcome, "interrupted");

    auto checks = test::health_checks(catalog);
    ASSERT_EQ(checks.size(), 1u);
    EXPECT_EQ(checks[0].battery_percent, 55);
    EXPECT_TRUE(checks[0].charging);
    EXPECT_EQ(checks[0].faults, "lens; battery");
    EXPECT_EQ(checks[0].storage_total_bytes, 64ull << 30);
    auto syncs = test::clock_syncs(catalog);
    ASSERT_EQ(syncs.size(), 1u);
    EXPECT_EQ(syncs[0].drift_ms, -2500);
    EXPECT_TRUE(syncs[0].corrected);
}

// A recording captured at `captured` on `device`, as the camera reported it at a dock.
RecordingKey captured_at(const DeviceRow& device, std::int64_t captured, std::uint32_t handle) {
    return RecordingKey{device.id, handle, "VID_" + std::to_string(handle) + ".MP4", 1000,
                        captured};
}

TEST_F(CatalogTest, RecordingIsAttributedToTheOfficerAssignedAtItsCaptureTime) {
    Catalog catalog(file());
    DeviceRow device = catalog.upsert_device("SN-1", "Maker", "BC-1", "1.0", kNow);
    catalog.register_device("SN-1", "Custodian A", "Officer Li", "Head", kNow - 1000);
    catalog.assign_officer("SN-1", "Officer Wang", kNow, "uid 0");

    auto before = catalog.begin_recording(captured_at(device, kNow - 1, 1));
    auto at_change = catalog.begin_recording(captured_at(device, kNow, 2));
    auto after = catalog.begin_recording(captured_at(device, kNow + 500, 3));
    auto before_register = catalog.begin_recording(captured_at(device, kNow - 1001, 4));
    EXPECT_EQ(before.officer, "Officer Li");
    EXPECT_EQ(at_change.officer, "Officer Wang") << "an assignment is valid from its time on";
    EXPECT_EQ(after.officer, "Officer Wang");
    EXPECT_EQ(before_register.officer, "") << "the camera was not registered then";

    // A recording seen again is its archived row, with the attribution it was given, even
    // after the device moved on (and under another handle).
    catalog.mark_archived(before.id, kSha, "2024/05/01/1/1.mp4", kNow, archived_event(before.id));
    catalog.assign_officer("SN-1", "pool", kNow + 600, "uid 0");
    RecordingKey renumbered = captured_at(device, kNow - 1, 1);
    renumbered.handle = 9;
    auto again = catalog.archived_lookalikes(renumbered);
    ASSERT_EQ(again.size(), 1u);
    EXPECT_EQ(again[0].id, before.id);
    EXPECT_EQ(again[0].officer, "Officer Li");
    EXPECT_EQ(again[0].camera_officer_id, "");
    EXPECT_EQ(catalog.begin_recording(captured_at(device, kNow + 700, 5)).officer, "pool");
}

TEST_F(CatalogTest, RecordingOfAnUnregisteredCameraHasNoOfficer) {
    Catalog catalog(file());
    DeviceRow device = catalog.upsert_device("SN-2", "Maker", "BC-1", "1.0", kNow);
    auto row = catalog.begin_recording(captured_at(device, kNow, 1), "A17");
    EXPECT_EQ(row.officer, "");
    EXPECT_EQ(row.camera_officer_id, "A17");
    EXPECT_FALSE(row.attribution_disagrees) << "nothing to disagree with";
}

TEST_F(CatalogTest, RecordingOfACameraRegisteredBeforeHistoryUsesItsEntry) {
    {
        Catalog catalog(file());
        catalog.upsert_device("SN-1", "Maker", "BC-1", "1.0", kNow);
        catalog.upsert_device("SN-2", "Maker", "BC-1", "1.0", kNow);
        catalog.register_device("SN-1", "Custodian A", "Officer Li", "Head", kNow);
        catalog.register_device("SN-2", "Custodian A", "Officer Li", "Head", kNow);
    }
    // Registers of schema 2 kept no history.
    ASSERT_EQ(RawDb(file()).exec("DROP TRIGGER device_history_no_delete; "
                                 "DELETE FROM device_history"),
              "");
    Catalog catalog(file());
    DeviceRow first = *catalog.find_device("SN-1");
    DeviceRow second = *catalog.find_device("SN-2");
    EXPECT_EQ(catalog.begin_recording(captured_at(first, kNow - 99999, 1)).officer, "Officer Li");
    // A change made since: before it, its first history row says what the entry was.
    catalog.assign_officer("SN-2", "Officer Wang", kNow + 10, "uid 0");
    EXPECT_EQ(catalog.begin_recording(captured_at(second, kNow - 99999, 1)).officer, "Officer Li");
    EXPECT_EQ(catalog.begin_recording(captured_at(second, kNow + 11, 2)).officer, "Officer Wang");
}

TEST_F(CatalogTest, CameraOfficerIdDisagreesOnlyWhenBothNameDifferentOfficers) {
    Catalog catalog(file());
    DeviceRow device = catalog.upsert_device("SN-1", "Maker", "BC-1", "1.0", kNow);
    catalog.register_device("SN-1", "Custodian A", "Officer Li", "Head", kNow - 1000);
    ASSERT_EQ(catalog.upsert_officers(
                  {{"A17", "Officer Li", "Team 1", 0}, {"B22", "Officer Wang", "Team 1", 0}},
                  kNow - 2000, "uid 0"),
              2u);
    std::uint32_t handle = 0;
    auto attribute = [&](const std::string& camera_id) {
        return catalog.begin_recording(captured_at(device, kNow, ++handle), camera_id);
    };
    EXPECT_FALSE(attribute("").attribution_disagrees) << "the camera reported no ID";
    EXPECT_FALSE(attribute("  officer LI ").attribution_disagrees) << "same name, other case";
    EXPECT_FALSE(attribute("A17").attribution_disagrees) << "the roster maps A17 to Officer Li";
    EXPECT_FALSE(attribute("a17").attribution_disagrees) << "IDs ignore case";
    auto other = attribute("B22");
    EXPECT_TRUE(other.attribution_disagrees) << "B22 is Officer Wang";
    EXPECT_EQ(other.officer, "Officer Li");
    EXPECT_EQ(other.camera_officer_id, "B22");
    EXPECT_TRUE(attribute("C99").attribution_disagrees) << "an ID the roster does not know";

    // A pool camera is anyone's: no disagreement.
    catalog.assign_officer("SN-1", "pool", kNow + 10, "uid 0");
    auto pooled = catalog.begin_recording(captured_at(device, kNow + 20, ++handle), "B22");
    EXPECT_EQ(pooled.officer, "pool");
    EXPECT_FALSE(pooled.attribution_disagrees);

    // The flag is kept and read back.
    EXPECT_TRUE(catalog.recording(other.id)->attribution_disagrees);
    const auto listed = catalog.recordings();
    EXPECT_TRUE(std::any_of(listed.begin(), listed.end(), [&](const RecordingRow& row) {
        return row.id == other.id && row.attribution_disagrees;
    }));
}

TEST_F(CatalogTest, CameraOfficerIdNobodyKnowsIsNoDisagreement) {
    Catalog catalog(file());
    DeviceRow device = catalog.upsert_device("SN-1", "Maker", "BC-1", "1.0", kNow);
    catalog.register_device("SN-1", "Custodian A", "Officer Li", "Head", kNow - 1000);
    // No roster: nothing says whether PO-1041 is Officer Li.
    EXPECT_FALSE(
        catalog.begin_recording(captured_at(device, kNow, 1), "PO-1041").attribution_disagrees);
    EXPECT_FALSE(
        catalog.begin_recording(captured_at(device, kNow, 2), "officer li").attribution_disagrees);
    // Once the roster knows Officer Li under another badge, PO-1041 is someone else.
    catalog.upsert_officers({{"A17", "Officer Li", "", 0}}, kNow, "uid 0");
    EXPECT_TRUE(
        catalog.begin_recording(captured_at(device, kNow, 3), "PO-1041").attribution_disagrees);
}

TEST_F(CatalogTest, CameraOfficerIdOfTheOfficerAssignedSinceIsNoDisagreement) {
    Catalog catalog(file());
    DeviceRow device = catalog.upsert_device("SN-1", "Maker", "BC-1", "1.0", kNow);
    catalog.register_device("SN-1", "Custodian A", "Officer Li", "Head", kNow - 1000);
    catalog.upsert_officers({{"A17", "Officer Li", "", 0},
                             {"B22", "Officer Wang", "", 0},
                             {"C33", "Officer Zhou", "", 0}},
                            kNow - 2000, "uid 0");
    // Captured while Officer Li had the camera; docked after it went to Officer Wang, whose ID
    // the camera now carries.
    catalog.assign_officer("SN-1", "Officer Wang", kNow + 100, "uid 0");
    auto row = catalog.begin_recording(captured_at(device, kNow, 1), "B22");
    EXPECT_EQ(row.officer, "Officer Li");
    EXPECT_FALSE(row.attribution_disagrees);
    EXPECT_TRUE(catalog.begin_recording(captured_at(device, kNow, 2), "C33").attribution_disagrees);
}

TEST_F(CatalogTest, CameraOfficerIdFromTheDeviceIsSanitisedAndBounded) {
    Catalog catalog(file());
    DeviceRow device = catalog.upsert_device("SN-1", "Maker", "BC-1", "1.0", kNow);
    auto row = catalog.begin_recording(captured_at(device, kNow, 1),
                                       "\x1b[31mA17\n" + std::string(1000, 'x'));
    EXPECT_EQ(row.camera_officer_id.substr(0, 9), "?[31mA17?");
    EXPECT_LE(row.camera_officer_id.size(), 128u);
}

TEST_F(CatalogTest, ReadinessIsKeptPerDeviceOverTimeAndIsAppendOnly) {
    {
        Catalog catalog(file());
        DeviceRow device = catalog.upsert_device("SN-1", "Maker", "BC-1", "1.0", kNow);
        catalog.upsert_device("SN-2", "Maker", "BC-1", "1.0", kNow);
        std::int64_t dock = catalog.begin_dock(device.id, 1, kNow);
        EXPECT_FALSE(test::latest_readiness(catalog, "SN-1"));
        catalog.add_readiness({"SN-1", dock, kNow + 60, false, "not ready: battery 20% < 80%"});
        catalog.add_readiness({"SN-1", dock, kNow + 900, true, "ready for duty"});
        catalog.add_readiness({"SN-2", 0, kNow + 30, false, "needs custodian: \x07unknown"});
        EXPECT_THROW(catalog.add_readiness({"SN-404", 0, kNow, true, "ready for duty"}),
                     CatalogError);
        EXPECT_THROW(catalog.add_readiness({"SN-1", 999, kNow, true, "ready for duty"}),
                     CatalogError)
            << "no such dock";

        auto latest = test::latest_readiness(catalog, "SN-1");
        ASSERT_TRUE(latest);
        EXPECT_TRUE(latest->ready);
        EXPECT_EQ(latest->verdict, "ready for duty");
        EXPECT_EQ(latest->at, kNow + 900);
        EXPECT_EQ(latest->dock_session_id, dock);
        EXPECT_EQ(latest->serial, "SN-1");
        auto history = test::readiness_history(catalog, "SN-1");
        ASSERT_EQ(history.size(), 2u);
        EXPECT_FALSE(history[0].ready);
        EXPECT_EQ(history[0].verdict, "not ready: battery 20% < 80%");
        EXPECT_EQ(history[1].at, kNow + 900);
        auto other = test::latest_readiness(catalog, "SN-2");
        ASSERT_TRUE(other);
        EXPECT_EQ(other->dock_session_id, 0);
        EXPECT_EQ(other->verdict, "needs custodian: ?unknown");
        EXPECT_TRUE(test::readiness_history(catalog, "SN-404").empty());
    }
    RawDb raw(file());
    EXPECT_NE(raw.exec("UPDATE readiness SET ready = 1"), "");
    EXPECT_NE(raw.exec("DELETE FROM readiness"), "");
    EXPECT_EQ(raw.text("SELECT count(*) FROM readiness"), "3");
}

TEST_F(CatalogTest, ADocksEndAndItsVerdictAreOneAuditedWrite) {
    Catalog catalog(file());
    DeviceRow device = catalog.upsert_device("SN-1", "Maker", "BC-1", "1.0", kNow);
    const std::int64_t dock = catalog.begin_dock(device.id, 2, kNow);
    catalog.end_dock_with_verdict(dock, kNow + 300, "not ready: battery 60% (needs 80%)", false,
                                  {"dock.end", 2, "SN-1", 0, "not ready: battery 60%"});
    auto docks = catalog.dock_sessions();
    ASSERT_EQ(docks.size(), 1u);
    EXPECT_EQ(docks[0].ended_at, kNow + 300);
    EXPECT_EQ(docks[0].outcome, "not ready: battery 60% (needs 80%)");
    auto history = test::readiness_history(catalog, "SN-1");
    ASSERT_EQ(history.size(), 1u);
    EXPECT_EQ(history[0].dock_session_id, dock);
    EXPECT_EQ(history[0].at, kNow + 300);
    EXPECT_FALSE(history[0].ready);
    EXPECT_EQ(history[0].verdict, "not ready: battery 60% (needs 80%)");
    auto audit = catalog.audit_rows();
    ASSERT_EQ(audit.size(), 1u);
    EXPECT_EQ(audit[0].event, "dock.end");
    EXPECT_EQ(audit[0].at, kNow + 300);

    // A dock ends once: the second end writes nothing at all.
    EXPECT_THROW(catalog.end_dock_with_verdict(dock, kNow + 400, "ready for duty", true,
                                               {"dock.end", 2, "SN-1", 0, "ready for duty"}),
                 CatalogError);
    EXPECT_THROW(catalog.end_dock_with_verdict(dock + 1, kNow + 400, "ready for duty", true,
                                               {"dock.end", 2, "SN-1", 0, "ready for duty"}),
                 CatalogError);
    EXPECT_EQ(test::readiness_history(catalog, "SN-1").size(), 1u);
    EXPECT_EQ(catalog.audit_rows().size(), 1u);
    EXPECT_EQ(catalog.dock_sessions()[0].outcome, "not ready: battery 60% (needs 80%)");
    expect_chain_intact(catalog);
}

TEST_F(CatalogTest, ARecheckKeepsItsReadingWithTheNewVerdictInOneAuditedWrite) {
    Catalog catalog(file());
    DeviceRow device = catalog.upsert_device("SN-1", "Maker", "BC-1", "1.0", kNow);
    const std::int64_t dock = catalog.begin_dock(device.id, 2, kNow);
    catalog.add_health_check({dock, kNow + 10, 60, true, "", 64 << 20, 32 << 20});
    catalog.end_dock_with_verdict(dock, kNow + 300, "not ready: battery 60%", false,
                                  {"dock.end", 2, "SN-1", 0, ""});
    catalog.record_recheck({dock, 0, 80, true, "", 64 << 20, 40 << 20},
                           {"SN-1", dock, 0, true, "ready for duty"},
                           {"readiness.changed", 2, "SN-1", 0, "ready for duty"}, kNow + 900);
    auto checks = test::health_checks(catalog);
    ASSERT_EQ(checks.size(), 2u);
    EXPECT_EQ(checks[1].dock_session_id, dock);
    EXPECT_EQ(checks[1].at, kNow + 900);
    EXPECT_EQ(checks[1].battery_percent, 80);
    EXPECT_EQ(checks[1].storage_free_bytes, 40u << 20);
    auto latest = test::latest_readiness(catalog, "SN-1");
    ASSERT_TRUE(latest);
    EXPECT_TRUE(latest->ready);
    EXPECT_EQ(latest->at, kNow + 900);
    EXPECT_EQ(latest->dock_session_id, dock);
    auto audit = catalog.audit_rows();
    ASSERT_EQ(audit.size(), 2u);
    EXPECT_EQ(audit[1].event, "readiness.changed");
    EXPECT_EQ(audit[1].at, kNow + 900);

    // When one of the three cannot be written (a verdict naming no dock), none is.
    EXPECT_THROW(catalog.record_recheck({dock, 0, 85, true, "", 0, 0},
                                        {"SN-1", dock + 7, 0, true, "ready for duty"},
                                        {"readiness.changed", 2, "SN-1", 0, ""}, kNow + 1000),
                 CatalogError);
    EXPECT_EQ(test::health_checks(catalog).size(), 2u);
    EXPECT_EQ(test::readiness_history(catalog, "SN-1").size(), 2u);
    EXPECT_EQ(catalog.audit_rows().size(), 2u);
    expect_chain_intact(catalog);
}

TEST_F(CatalogTest, RosterUpsertAuditsEachChangedOfficerNamingWhoChangedIt) {
    Catalog catalog(file());
    EXPECT_EQ(catalog.upsert_officers({{" A17 ", "李明", "Team 1", 0}, {"B22", "Wang", "", 0}},
                                      kNow, "uid 1000 (lee)"),
              2u);
    EXPECT_EQ(catalog.audit_rows().size(), 2u);
    // The same again is no change; one renamed officer is one change; an unlisted one stays.
    EXPECT_EQ(catalog.upsert_officers({{"A17", "李明", "Team 1", 0}}, kNow + 1, "uid 0"), 0u);
    EXPECT_EQ(catalog.upsert_officers({{"a17", "李明", "Team 2", 0}, {"B22", "Wang", "", 0}},
                                      kNow + 2, "uid 0"),
              1u);
    auto rows = catalog.officers();
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].badge, "A17") << "the ID as first given, trimmed";
    EXPECT_EQ(rows[0].name, "李明");
    EXPECT_EQ(rows[0].team, "Team 2");
    EXPECT_EQ(rows[0].updated_at, kNow + 2);
    EXPECT_EQ(rows[1].badge, "B22");
    EXPECT_EQ(rows[1].updated_at, kNow);

    auto audit = catalog.audit_rows();
    ASSERT_EQ(audit.size(), 3u);
    EXPECT_EQ(audit[0].event, "officer.added");
    EXPECT_NE(audit[0].detail.find("by=uid 1000 (lee)"), std::string::npos) << audit[0].detail;
    EXPECT_EQ(audit[2].event, "officer.changed");
    EXPECT_NE(audit[2].detail.find("team=Team 2"), std::string::npos) << audit[2].detail;
    EXPECT_NE(audit[2].detail.find("by=uid 0"), std::string::npos) << audit[2].detail;
    expect_chain_intact(catalog);
}

TEST_F(CatalogTest, RosterUpsertRefusesAnEmptyIdOrNameAndWritesNothing) {
    Catalog catalog(file());
    EXPECT_THROW(
        catalog.upsert_officers({{"A17", "Li", "", 0}, {"  ", "Wang", "", 0}}, kNow, "uid 0"),
        CatalogError);
    EXPECT_THROW(
        catalog.upsert_officers({{"A17", "Li", "", 0}, {"B22", "\t", "", 0}}, kNow, "uid 0"),
        CatalogError);
    EXPECT_THROW(catalog.upsert_officers({{"A17", "\xE3\x80\x80\xC2\xA0", "", 0}}, kNow, "uid 0"),
                 CatalogError)
        << "a name of ideographic and no-break spaces is blank";
    try {
        catalog.upsert_officers({{"A17", "Li", "", 0}, {"B22", " \t", "", 0}}, kNow, "uid 0");
        FAIL() << "accepted a blank name";
    } catch (const CatalogError& error) {
        EXPECT_NE(std::string(error.what()).find("officer 2 of the list (ID B22) has a blank name"),
                  std::string::npos)
            << error.what();
    }
    try {
        catalog.upsert_officers({{"A17", "Li", "", 0}, {"\xEF\xBB\xBF", "Wang", "", 0}}, kNow,
                                "uid 0");
        FAIL() << "accepted a blank ID";
    } catch (const CatalogError& error) {
        EXPECT_NE(std::string(error.what()).find("officer 2 of the list has a blank ID (badge)"),
                  std::string::npos)
            << error.what();
    }
    EXPECT_TRUE(catalog.officers().empty());
    EXPECT_TRUE(catalog.audit_rows().empty());
    catalog.upsert_officers({{"A\x1b"
                              "17",
                              "Li\nMing", "", 0}},
                            kNow, "uid 0");
    EXPECT_EQ(catalog.officers()[0].badge, "A?17");
    EXPECT_EQ(catalog.officers()[0].name, "Li?Ming");
}

// The roster compares IDs ignoring case and surrounding spaces: one list naming an ID twice
// would leave whichever entry came last, so it is refused whole, naming both entries.
TEST_F(CatalogTest, RosterUpsertFindsADuplicateFarApartInALargeList) {
    Catalog catalog(file());
    std::vector<OfficerRow> officers;
    for (int i = 1; i <= 50'000; ++i) {
        officers.push_back({"B-" + std::to_string(i), "Officer " + std::to_string(i), "", 0});
    }
    officers.push_back({"b-17", "Officer again", "", 0});
    try {
        catalog.upsert_officers(officers, kNow, "uid 0");
        FAIL() << "accepted one ID twice";
    } catch (const CatalogError& error) {
        const std::string message = error.what();
        EXPECT_NE(message.find("officers 17 (ID B-17) and 50001 (ID b-17)"), std::string::npos)
            << message;
    }
    EXPECT_TRUE(catalog.officers().empty());
}

TEST_F(CatalogTest, RosterUpsertRefusesAListNamingOneIdTwice) {
    Catalog catalog(file());
    catalog.upsert_officers({{"C33", "Zhou", "", 0}}, kNow, "uid 0");
    try {
        catalog.upsert_officers(
            {{"A17", "Li", "Team 1", 0}, {"B22", "Wang", "", 0}, {" a17 ", "Liu", "Team 2", 0}},
            kNow + 1, "uid 0");
        FAIL() << "accepted one ID twice";
    } catch (const CatalogError& error) {
        const std::string message = error.what();
        EXPECT_NE(message.find("officers 1 (ID A17) and 3 (ID a17) of the list have the same ID"),
                  std::string::npos)
            << message;
    }
    EXPECT_THROW(
        catalog.upsert_officers({{"C33", "Zhou", "", 0}, {"c33", "Zhou", "", 0}}, kNow, "uid 0"),
        CatalogError)
        << "even when both say the same";
    auto rows = catalog.officers();
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].badge, "C33");
    EXPECT_EQ(catalog.audit_rows().size(), 1u);
    // An ID already in the roster, in another case, is an update of that officer.
    EXPECT_EQ(catalog.upsert_officers({{"c33", "Zhou Min", "", 0}}, kNow + 2, "uid 0"), 1u);
    EXPECT_EQ(catalog.officers().size(), 1u);
    EXPECT_EQ(catalog.officers()[0].name, "Zhou Min");
}

TEST_F(CatalogTest, ErrorsNameWhatWasBeingDone) {
    Catalog catalog(file());
    try {
        catalog.mark_wiped(77, kNow, {"recording.wiped", 0, "", 77, ""});
        FAIL() << "wiped a recording that does not exist";
    } catch (const CatalogError& error) {
        std::string message = error.what();
        EXPECT_NE(message.find("marking recording 77 wiped"), std::string::npos) << message;
        EXPECT_NE(message.find(file().string()), std::string::npos) << message;
    }
    std::filesystem::path garbage = dir_.path() / "garbage.sqlite";
    {
        std::FILE* out = std::fopen(garbage.c_str(), "w");
        std::fputs(
            "this is not a database, just some text that is long enough to matter....\n"
            "....................................................................\n",
            out);
        std::fclose(out);
    }
    EXPECT_THROW(Catalog{garbage}, CatalogError);
    EXPECT_THROW(Catalog::open_read_only(garbage), CatalogError);
}

TEST(SanitizeText, KeepsPrintableUtf8AndReplacesTheRest) {
    EXPECT_EQ(sanitize_text("VID_0001.MP4"), "VID_0001.MP4");
    EXPECT_EQ(sanitize_text("Kamera \xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\xb7"),
              "Kamera \xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\xb7");
    EXPECT_EQ(sanitize_text(std::string("a\0b\tc\nd\x7f", 8)), "a?b?c?d?");
    EXPECT_EQ(sanitize_text("\x1b[31m"), "?[31m");
    EXPECT_EQ(sanitize_text("\xc2\x9b"), "?") << "C1 control (CSI)";
    EXPECT_EQ(sanitize_text("evil\xe2\x80\xaegnp.exe"), "evil?gnp.exe") << "bidi override";
    EXPECT_EQ(sanitize_text("\xff"), "?");
    EXPECT_EQ(sanitize_text("\xc0\xaf"), "??") << "overlong";
    EXPECT_EQ(sanitize_text("\xed\xa0\x80"), "???") << "surrogate";
    EXPECT_EQ(sanitize_text("\xf4\x90\x80\x80"), "????") << "beyond U+10FFFF";
    EXPECT_EQ(sanitize_text("ab\xe2\x82"), "ab??") << "truncated sequence";
    EXPECT_EQ(sanitize_text("\x80x"), "?x") << "stray continuation byte";
}

TEST(SanitizeText, TruncatesAtACharacterBoundary) {
    EXPECT_EQ(sanitize_text("abcdef", 4), "abcd");
    EXPECT_EQ(sanitize_text("a\xc3\xa9", 2), "a");
    EXPECT_EQ(sanitize_text("a\xc3\xa9", 3), "a\xc3\xa9");
    EXPECT_EQ(sanitize_text("\xf0\x9f\x93\xb7\xf0\x9f\x93\xb7", 7), "\xf0\x9f\x93\xb7");
    EXPECT_EQ(sanitize_text("abc", 0), "");
    EXPECT_EQ(sanitize_text(std::string(1000, 'x')).size(), 128u);
}

// ---- SQLite I/O faults ----------------------------------------------------------------------

class CatalogFaultTest : public CatalogTest {
  protected:
    void SetUp() override {
        SqliteFaultVfs::install();
        SqliteFaultVfs::fail_at(0);
    }
    void TearDown() override { SqliteFaultVfs::fail_at(0); }

    // A catalog with one device and one `copying` recording; returns the recording id.
    std::int64_t prepare(const std::filesystem::path& catalog_file) {
        Catalog catalog(catalog_file, test::kFaultVfsName);
        DeviceRow device = catalog.upsert_device("SN-1", "Maker", "BC-1", "1.0", kNow);
        catalog.audit({"dock.start", 1, "SN-1", 0, ""}, kNow);
        return catalog.begin_recording(key_for(device)).id;
    }

    // How many write, sync and truncate calls a successful mark_archived makes.
    int write_side_calls_of_mark_archived() {
        std::filesystem::path dry_run = dir_.path() / "dry-run.sqlite";
        std::filesystem::remove(dry_run);
        std::int64_t id = prepare(dry_run);
        Catalog catalog(dry_run, test::kFaultVfsName);
        int before = SqliteFaultVfs::calls();
        catalog.mark_archived(id, kSha, "2024/05/01/1/1.mp4", kNow, archived_event(id));
        return SqliteFaultVfs::calls() - before;
    }

    // After reopening: either the transition happened with its audit row, or neither did.
    void expect_all_or_nothing(const std::filesystem::path& catalog_file, std::int64_t id,
                               bool expect_copying) {
        Catalog catalog(catalog_file);
        auto row = catalog.recording(id);
        ASSERT_TRUE(row);
        std::size_t entries = count_events(catalog, "recording.archived", id);
        if (row->state == RecordingState::copying) {
            EXPECT_EQ(entries, 0u) << "audit row without the state change";
            EXPECT_TRUE(row->sha256_hex.empty());
        } else {
            EXPECT_FALSE(expect_copying) << "a failed commit took effect";
            EXPECT_EQ(row->state, RecordingState::archived);
            EXPECT_EQ(entries, 1u) << "state change without its audit row";
            EXPECT_EQ(row->sha256_hex, kSha);
        }
        expect_chain_intact(catalog);
        EXPECT_TRUE(catalog.check_integrity().empty());
    }
};

TEST_F(CatalogFaultTest, IoErrorAtTheCommitOfMarkArchivedLeavesTheRowCopying) {
    std::int64_t id = prepare(file());
    {
        Catalog catalog(file(), test::kFaultVfsName);
        int before = SqliteFaultVfs::calls();
        SqliteFaultVfs::fail_at(1);
        EXPECT_THROW(
            catalog.mark_archived(id, kSha, "2024/05/01/1/1.mp4", kNow, archived_event(id)),
            CatalogError);
        EXPECT_GT(SqliteFaultVfs::calls(), before);
        SqliteFaultVfs::fail_at(0);
        EXPECT_EQ(catalog.recording(id)->state, RecordingState::copying);
        EXPECT_EQ(count_events(catalog, "recording.archived", id), 0u);
    }
    expect_all_or_nothing(file(), id, true);
}

TEST_F(CatalogFaultTest, TheCatalogWorksAgainAfterAFailedCommit) {
    std::int64_t id = prepare(file());
    {
        Catalog catalog(file(), test::kFaultVfsName);
        SqliteFaultVfs::fail_at(1);
        EXPECT_THROW(
            catalog.mark_archived(id, kSha, "2024/05/01/1/1.mp4", kNow, archived_event(id)),
            CatalogError);
        SqliteFaultVfs::fail_at(0);
        catalog.mark_archived(id, kSha, "2024/05/01/1/1.mp4", kNow, archived_event(id));
    }
    Catalog catalog(file());
    EXPECT_EQ(catalog.recording(id)->state, RecordingState::archived);
    EXPECT_EQ(count_events(catalog, "recording.archived", id), 1u);
    expect_chain_intact(catalog);
}

TEST_F(CatalogFaultTest, EveryFailingWriteSideCallOfMarkArchivedIsAllOrNothing) {
    int calls_needed = write_side_calls_of_mark_archived();
    ASSERT_GE(calls_needed, 2) << "expected at least a WAL write and a sync";

    for (int nth = 1; nth <= calls_needed; ++nth) {
        for (bool forever : {false, true}) {
            SCOPED_TRACE("failing call " + std::to_string(nth) + (forever ? " and later" : ""));
            std::filesystem::path catalog_file =
                dir_.path() / ("fault-" + std::to_string(nth) + (forever ? "-f" : "") + ".sqlite");
            std::int64_t id = prepare(catalog_file);
            {
                Catalog catalog(catalog_file, test::kFaultVfsName);
                SqliteFaultVfs::fail_at(nth, forever);
                EXPECT_THROW(
                    catalog.mark_archived(id, kSha, "2024/05/01/1/1.mp4", kNow, archived_event(id)),
                    CatalogError);
                SqliteFaultVfs::fail_at(0);
            }
            expect_all_or_nothing(catalog_file, id, true);
        }
    }
}

// A crash right after a failed commit (no clean close) must still leave one of the two
// states, never half of the transaction.
TEST_F(CatalogFaultTest, ACrashAfterAFailedSyncIsStillAllOrNothing) {
    int calls_needed = write_side_calls_of_mark_archived();
    std::int64_t id = prepare(file());
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        int status = 3;
        try {
            Catalog catalog(file(), test::kFaultVfsName);
            // The commit's last write-side call is the WAL sync: the transaction is in the WAL
            // file but was never acknowledged.
            SqliteFaultVfs::fail_at(calls_needed);
            try {
                catalog.mark_archived(id, kSha, "2024/05/01/1/1.mp4", kNow, archived_event(id));
                status = 4;
            } catch (const CatalogError&) {
                status = 0;
            }
        } catch (...) {
            status = 5;
        }
        ::_exit(status);  // no destructors: as if the power went
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    ASSERT_EQ(WEXITSTATUS(status), 0);
    expect_all_or_nothing(file(), id, false);
}

TEST_F(CatalogTest, MigratesAVersion4CatalogGivingOldRecordingsNoRecordHash) {
    std::int64_t id = 0;
    {
        Catalog catalog(file());
        DeviceRow device = catalog.upsert_device("SN-1", "Maker", "BC-1", "1.0", kNow);
        id = catalog.begin_recording(key_for(device), "").id;
        catalog.mark_archived(id, kSha, "2024/05/01/1/1.mp4", kNow, archived_event(id));
    }
    ASSERT_EQ(RawDb(file()).exec(CRADLE_VERSION5_ADDITIONS "UPDATE schema_version SET version = 4"),
              "");
    EXPECT_THROW(Catalog::open_read_only(file()), CatalogError) << "a reader never migrates";
    Catalog catalog(file());
    EXPECT_EQ(catalog.schema_version(), Catalog::kSchemaVersion);
    EXPECT_TRUE(catalog.record_hashes().empty());
    EXPECT_EQ(catalog.last_record_hash(catalog.find_device("SN-1")->id), "");
    // A recording archived now keeps its record hash, and the device's chain goes on from it.
    RecordingKey key = key_for(*catalog.find_device("SN-1"));
    key.handle += 1;
    key.name = "VID_0002.MP4";
    const std::int64_t next = catalog.begin_recording(key, "").id;
    const std::string record(64, 'b');
    catalog.mark_archived(next, kSha, "2024/05/01/1/2.mp4", kNow, archived_event(next), record);
    EXPECT_EQ(catalog.record_hashes().at(next), record);
    EXPECT_EQ(catalog.last_record_hash(key.device_id), record);
    EXPECT_NE(catalog.audit_rows().back().detail.find("record=" + record), std::string::npos);
}

// ListRecordings' query: filtering by SQLite gives what filtering the full list gives, in the
// same order, for a device or all of them, open or closed capture windows, and a limit that
// keeps the latest captures (ties in capture time ordered by id).
TEST_F(CatalogTest, RecordingsCapturedMatchFilteringTheFullList) {
    Catalog catalog(file());
    const DeviceRow one = catalog.upsert_device("SN-1", "Maker", "BC-1", "1.0", kNow);
    const DeviceRow two = catalog.upsert_device("SN-2", "Maker", "BC-1", "1.0", kNow);
    const DeviceRow idle = catalog.upsert_device("SN-3", "Maker", "BC-1", "1.0", kNow);
    // Capture times out of id order, with ties, across both devices; some archived, one wiped.
    const std::int64_t captures[] = {500, 100, 300, 300, 100, 900, 700, 300, 50, 900};
    std::uint32_t handle = 0;
    for (std::int64_t captured : captures) {
        const DeviceRow& device = handle % 3 == 1 ? two : one;
        ++handle;
        RecordingKey key{device.id, handle, "VID_" + std::to_string(handle) + ".MP4", 1000,
                         kNow - 10000 + captured};
        const std::int64_t id = catalog.begin_recording(key).id;
        if (handle % 2 == 0) {
            catalog.mark_archived(id, Sha256::hex_of("footage " + std::to_string(handle)),
                                  "2024/05/01/1/" + std::to_string(id) + ".mp4", kNow,
                                  archived_event(id));
        }
        if (handle == 4) catalog.mark_wiped(id, kNow + 1, {"recording.wiped", 1, "SN-1", id, ""});
    }

    auto filter_of = [](std::optional<std::int64_t> device, std::int64_t from, std::int64_t to,
                        std::uint32_t latest) {
        Catalog::RecordingFilter filter;
        filter.device_id = device;
        filter.captured_from = from;
        filter.captured_to = to;
        filter.latest = latest;
        return filter;
    };
    auto expected = [&](const Catalog::RecordingFilter& filter) {
        std::vector<RecordingRow> rows;
        for (const RecordingRow& row : catalog.recordings()) {
            if (filter.device_id && row.key.device_id != *filter.device_id) continue;
            if (filter.captured_from != 0 && row.key.captured_unix_s < filter.captured_from) {
                continue;
            }
            if (filter.captured_to != 0 && row.key.captured_unix_s > filter.captured_to) continue;
            rows.push_back(row);
        }
        std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
            return std::make_pair(a.key.captured_unix_s, a.id) <
                   std::make_pair(b.key.captured_unix_s, b.id);
        });
        if (filter.latest != 0 && rows.size() > filter.latest) {
            rows.erase(rows.begin(), rows.end() - filter.latest);
        }
        return rows;
    };
    auto ids = [](const std::vector<RecordingRow>& rows) {
        std::vector<std::int64_t> out;
        for (const auto& row : rows) out.push_back(row.id);
        return out;
    };

    const std::int64_t base = kNow - 10000;
    const std::vector<Catalog::RecordingFilter> filters = {
        filter_of(std::nullopt, 0, 0, 0),
        filter_of(one.id, 0, 0, 0),
        filter_of(two.id, 0, 0, 0),
        filter_of(idle.id, 0, 0, 0),
        filter_of(std::nullopt, base + 300, 0, 0),
        filter_of(std::nullopt, 0, base + 300, 0),
        filter_of(std::nullopt, base + 100, base + 700, 0),
        filter_of(one.id, base + 100, base + 300, 0),
        filter_of(std::nullopt, 0, 0, 3),
        filter_of(std::nullopt, 0, 0, 100),
        filter_of(one.id, 0, 0, 2),
        filter_of(two.id, base + 300, base + 900, 1),
        filter_of(std::nullopt, base + 300, base + 300, 2),
        filter_of(std::nullopt, base + 1000, 0, 0),
        filter_of(999, 0, 0, 0),
    };
    for (std::size_t i = 0; i < filters.size(); ++i) {
        const auto want = expected(filters[i]);
        const auto got = catalog.recordings_captured(filters[i]);
        EXPECT_EQ(ids(got), ids(want)) << "filter " << i;
        ASSERT_EQ(got.size(), want.size()) << "filter " << i;
        for (std::size_t r = 0; r < got.size(); ++r) {
            EXPECT_EQ(got[r].key.captured_unix_s, want[r].key.captured_unix_s);
            EXPECT_EQ(got[r].key.name, want[r].key.name);
            EXPECT_EQ(got[r].state, want[r].state);
            EXPECT_EQ(got[r].sha256_hex, want[r].sha256_hex);
            EXPECT_EQ(got[r].archive_path, want[r].archive_path);
        }
    }
    // The filters above are not all empty or all full: the comparison is not trivial.
    EXPECT_EQ(catalog.recordings_captured(filter_of(std::nullopt, 0, 0, 0)).size(),
              std::size(captures));
    EXPECT_EQ(ids(catalog.recordings_captured(filter_of(std::nullopt, 0, 0, 3))).size(), 3u);
    EXPECT_TRUE(catalog.recordings_captured(filter_of(idle.id, 0, 0, 0)).empty());
    // The same through a reader, as ListRecordings reads it.
    const Catalog reader = Catalog::open_read_only(file());
    EXPECT_EQ(ids(reader.recordings_captured(filter_of(one.id, base + 100, 0, 2))),
              ids(expected(filter_of(one.id, base + 100, 0, 2))));
    // Read a page at a time, every filter without `latest` gives the same rows in the same
    // order, each once, whatever the page's size (ties of capture time fall across pages).
    for (std::size_t i = 0; i < filters.size(); ++i) {
        if (filters[i].latest != 0) continue;
        for (std::uint32_t page_size : {1u, 2u, 3u, 100u}) {
            Catalog::RecordingFilter page = filters[i];
            page.first = page_size;
            std::vector<RecordingRow> all;
            for (int pages = 0; pages < 20; ++pages) {
                const std::vector<RecordingRow> rows = catalog.recordings_captured(page);
                ASSERT_LE(rows.size(), page_size);
                all.insert(all.end(), rows.begin(), rows.end());
                if (rows.size() < page_size) break;
                page.after = TimeKey{rows.back().key.captured_unix_s, rows.back().id};
            }
            EXPECT_EQ(ids(all), ids(expected(filters[i]))) << "filter " << i << " by " << page_size;
        }
    }
}

}  // namespace
}  // namespace cradle

namespace cradle {
namespace {

class ConfidentialMarksTest : public ::testing::Test {
  protected:
    std::filesystem::path file() const { return dir_.path() / "catalog.sqlite"; }
    TempDir dir_;
};

TEST_F(ConfidentialMarksTest, MarksAndTheirTakingBackAreKeptAndAudited) {
    Catalog catalog(file());
    const DeviceRow device = catalog.upsert_device("SN-1", "ACME", "BWC", "1.0", kNow);
    const DeviceRow other = catalog.upsert_device("SN-2", "ACME", "BWC", "1.0", kNow);
    const std::int64_t first =
        catalog.begin_recording(RecordingKey{device.id, 1, "A.MP4", 10, kNow}).id;
    const std::int64_t second =
        catalog.begin_recording(RecordingKey{device.id, 2, "B.MP4", 10, kNow}).id;
    const RecordingRow of_other =
        catalog.begin_recording(RecordingKey{other.id, 1, "C.MP4", 10, kNow});
    EXPECT_TRUE(catalog.confidential_marks().empty());

    EXPECT_TRUE(catalog.mark_recording_confidential(first, true, "informant", kNow, "uid 0"));
    EXPECT_FALSE(catalog.mark_recording_confidential(first, true, "again", kNow, "uid 0"));
    ConfidentialMarks marks = catalog.confidential_marks();
    EXPECT_TRUE(marks.covers(*catalog.recording(first)));
    EXPECT_FALSE(marks.covers(*catalog.recording(second)));

    // A device's mark covers all its recordings, and only its own.
    EXPECT_TRUE(catalog.mark_device_confidential("SN-1", true, "undercover", kNow + 1, "uid 0"));
    marks = catalog.confidential_marks();
    EXPECT_TRUE(marks.covers(*catalog.recording(second)));
    EXPECT_FALSE(marks.covers(of_other));
    // Taking the recording's mark back leaves the device's.
    EXPECT_TRUE(catalog.mark_recording_confidential(first, false, "cleared", kNow + 2, "uid 0"));
    EXPECT_TRUE(catalog.confidential_marks().covers(*catalog.recording(first)));
    EXPECT_TRUE(catalog.mark_device_confidential("SN-1", false, "case closed", kNow + 3, "uid 0"));
    EXPECT_TRUE(catalog.confidential_marks().empty());
    EXPECT_FALSE(catalog.mark_device_confidential("SN-1", false, "again", kNow + 4, "uid 0"));

    std::vector<std::string> events;
    for (const AuditRow& row : catalog.audit_rows()) {
        if (row.event.find("confidential") != std::string::npos) {
            events.push_back(row.event + " " + row.detail);
        }
    }
    EXPECT_EQ(events, (std::vector<std::string>{
                          "recording.marked_confidential by=uid 0; reason=informant",
                          "device.marked_confidential by=uid 0; reason=undercover",
                          "recording.unmarked_confidential by=uid 0; reason=cleared",
                          "device.unmarked_confidential by=uid 0; reason=case closed"}));
}

TEST_F(ConfidentialMarksTest, UnknownTargetsAndEmptyReasonsAreRefused) {
    Catalog catalog(file());
    catalog.upsert_device("SN-1", "ACME", "BWC", "1.0", kNow);
    EXPECT_THROW(catalog.mark_device_confidential("SN-9", true, "x", kNow, "uid 0"), CatalogError);
    EXPECT_THROW(catalog.mark_recording_confidential(77, true, "x", kNow, "uid 0"), CatalogError);
    EXPECT_THROW(catalog.mark_device_confidential("SN-1", true, "", kNow, "uid 0"), CatalogError);
    EXPECT_TRUE(catalog.confidential_marks().empty());
}

TEST_F(ConfidentialMarksTest, MarksAreAppendOnly) {
    {
        Catalog catalog(file());
        catalog.upsert_device("SN-1", "ACME", "BWC", "1.0", kNow);
        catalog.mark_device_confidential("SN-1", true, "undercover", kNow, "uid 0");
    }
    RawDb raw(file());
    EXPECT_NE(raw.exec("UPDATE confidential_marks SET confidential = 0").find("append-only"),
              std::string::npos);
    EXPECT_NE(raw.exec("DELETE FROM confidential_marks").find("append-only"), std::string::npos);
    EXPECT_EQ(Catalog(file()).confidential_marks().devices.size(), 1u);
}

}  // namespace
}  // namespace cradle

namespace cradle {
namespace {

TEST_F(ConfidentialMarksTest, AVersion7CatalogGainsTheMarksTableAndNoMark) {
    {
        Catalog catalog(file());
        catalog.upsert_device("SN-1", "ACME", "BWC", "1.0", kNow);
    }
    ASSERT_EQ(RawDb(file()).exec("DROP TABLE confidential_marks; "
                                 "UPDATE schema_version SET version = 7"),
              "");
    Catalog catalog(file());
    EXPECT_EQ(catalog.schema_version(), 8);
    EXPECT_TRUE(catalog.confidential_marks().empty());
    EXPECT_TRUE(catalog.mark_device_confidential("SN-1", true, "undercover", kNow, "uid 0"));
}

}  // namespace
}  // namespace cradle
