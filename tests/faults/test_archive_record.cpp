// SPDX-License-Identifier: Apache-2.0
// I6: the archive is the record, the catalog its index. Every archived file has its metadata
// record beside it, the audit log is journalled into the archive, a catalog that is missing,
// empty or older than the archive stops the service instead of being recreated over it, the
// catalog can be rebuilt from the archive alone, and start-up recovery never deletes an
// archived file (it adopts or quarantines it).
#include "common/sha256.hpp"
#include "core/archive/archive_record.hpp"
#include "core/catalog/audit_journal.hpp"
#include "core/catalog/catalog.hpp"
#include "core/catalog/catalog_guard.hpp"
#include "core/catalog/catalog_rebuild.hpp"
#include "core/catalog/signing_identity.hpp"
#include "core/catalog/state_verifier.hpp"
#include "tests/faults/rig.hpp"
#include "tests/support/file_text.hpp"
#include "tests/unit/state_dir_builder.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cerrno>
#include <fstream>
#include <map>
#include <system_error>

namespace cradle::test {
namespace {

namespace fs = std::filesystem;

// Every file under a directory, by relative path, with its SHA-256.
std::map<std::string, std::string> files_under(const fs::path& dir) {
    std::map<std::string, std::string> files;
    if (!fs::exists(dir)) return files;
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
        if (!entry.is_regular_file()) continue;
        files[entry.path().lexically_relative(dir).generic_string()] =
            Sha256::hex_of(file_text(entry.path()));
    }
    return files;
}

// The recordings' files (no records, no journal).
std::map<std::string, std::string> recording_files(const fs::path& archive) {
    std::map<std::string, std::string> files;
    for (auto& [relative, sha] : files_under(archive)) {
        if (relative == kAuditJournalName || is_record_path(relative)) continue;
        files.emplace(relative, sha);
    }
    return files;
}

std::int64_t now_s() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// The start-up of the service on this state, as the daemon does it: returns the reason of the
// refusal, "" if it started.
std::string refusal_of(Rig& rig) {
    try {
        rig.run();
    } catch (const CatalogBehindArchive& refusal) {
        EXPECT_NE(catalog_behind_archive_message(refusal.reason(), rig.state)
                      .find("cradlectl rebuild-catalog --state-dir " + rig.state.string()),
                  std::string::npos);
        return refusal.reason();
    }
    return "";
}

void expect_lights_need_custodian(Rig& rig) {
    for (int bay = 1; bay <= rig.spec.bays; ++bay) {
        EXPECT_EQ(rig.cradle().light(bay), hw::BayLight::needs_custodian) << "bay " << bay;
    }
}

class ArchiveRecordTest : public ::testing::Test {
  protected:
    // Two cameras of three recordings, docked and offloaded.
    void dock_two_cameras() {
        auto reports = rig.run();
        ASSERT_EQ(reports.size(), 2u);
        ASSERT_EQ(join_problems(rig.invariant_problems()), "");
        ASSERT_EQ(join_problems(rig.not_archived_and_wiped()), "");
        archive_before = files_under(rig.state / "archive");
        ASSERT_EQ(recording_files(rig.state / "archive").size(), 6u);
    }

    Rig rig{2, 3, 96 << 10};
    std::map<std::string, std::string> archive_before;
};

TEST_F(ArchiveRecordTest, RecordsCarryTheRecordingsIdentityAndChainPerCamera) {
    dock_two_cameras();
    Catalog catalog = Catalog::open_read_only(rig.state / "catalog.sqlite");
    const auto record_hashes = catalog.record_hashes();
    const PublicKey public_key = read_public_key(public_key_file(rig.state));
    std::map<std::int64_t, std::string> last_record_of_device;
    std::size_t checked = 0;
    for (const RecordingRow& row : catalog.recordings()) {
        SCOPED_TRACE("recording " + std::to_string(row.id));
        ASSERT_NE(row.state, RecordingState::copying);
        const std::string text =
            file_text(rig.state / "archive" / record_path_of(row.archive_path));
        std::string error;
        auto record = parse_record(text, error);
        ASSERT_TRUE(record) << error;
        const auto devices = catalog.devices();
        const DeviceRow* owner = nullptr;
        for (const auto& d : devices) {
            if (d.id == row.key.device_id) owner = &d;
        }
        ASSERT_NE(owner, nullptr);
        EXPECT_EQ(record->recording_id, row.id);
        EXPECT_EQ(record->device_id, row.key.device_id);
        EXPECT_EQ(record->identity.device_serial, owner->serial);
        EXPECT_EQ(record->identity.device_model, owner->model);
        EXPECT_EQ(record->ptp_handle, row.key.handle);
        EXPECT_EQ(record->raw_name, row.key.name);
        EXPECT_EQ(record->captured_unix_s, row.key.captured_unix_s);
        EXPECT_EQ(record->size, row.key.size);
        EXPECT_EQ(record->sha256_hex, row.sha256_hex);
        EXPECT_EQ(record->archive_path, row.archive_path);
        // Signed with the cradle's key: checked with the public key alone.
        EXPECT_TRUE(text.starts_with("cradled-record=2\n")) << text;
        EXPECT_TRUE(record_signature_verifies(text, *record, public_key)) << text;
        EXPECT_GT(record->identity.dock_session_id, 0);
        EXPECT_GT(record->archived_at, 0);
        // The raw name is hex in the file, never a path or text from the device.
        EXPECT_NE(text.find("raw_name_hex=" + to_hex(row.key.name) + "\n"), std::string::npos);
        // The chain: each record names the one before it of the same camera.
        EXPECT_EQ(record->identity.previous_record_sha256,
                  last_record_of_device[row.key.device_id]);
        const std::string record_sha256 = Sha256::hex_of(text);
        ASSERT_TRUE(record_hashes.contains(row.id));
        EXPECT_EQ(record_hashes.at(row.id), record_sha256);
        last_record_of_device[row.key.device_id] = record_sha256;
        ++checked;
    }
    EXPECT_EQ(checked, 6u);
    EXPECT_EQ(last_record_of_device.size(), 2u);
}

TEST_F(ArchiveRecordTest, AuditLogIsJournalledIntoTheArchiveEntryForEntry) {
    dock_two_cameras();
    Catalog catalog = Catalog::open_read_only(rig.state / "catalog.sqlite");
    const auto audit = catalog.audit_rows();
    JournalContents journal = read_journal(rig.state / "archive" / std::string(kAuditJournalName));
    ASSERT_TRUE(journal.exists);
    EXPECT_TRUE(journal.problems.empty());
    EXPECT_FALSE(journal.torn_tail);
    ASSERT_EQ(journal.rows.size(), audit.size());
    for (std::size_t i = 0; i < audit.size(); ++i) {
        EXPECT_EQ(journal.rows[i].seq, audit[i].seq);
        EXPECT_EQ(journal.rows[i].event, audit[i].event);
        EXPECT_EQ(journal.rows[i].detail, audit[i].detail);
        EXPECT_EQ(journal.rows[i].hash_hex, audit[i].hash_hex);
    }
    std::vector<std::string> chain;
    EXPECT_EQ(check_journal_chain(journal.rows, chain), journal.rows.size());
    EXPECT_TRUE(chain.empty());
}

// The journal as the catalog has it: every entry, alike.
void expect_journal_matches_catalog(const fs::path& state) {
    Catalog catalog = Catalog::open_read_only(state / "catalog.sqlite");
    const auto audit = catalog.audit_rows();
    JournalContents journal = read_journal(state / "archive" / std::string(kAuditJournalName));
    EXPECT_TRUE(journal.problems.empty());
    EXPECT_FALSE(journal.torn_tail);
    ASSERT_EQ(journal.rows.size(), audit.size());
    for (std::size_t i = 0; i < audit.size(); ++i) {
        EXPECT_EQ(journal.rows[i].hash_hex, audit[i].hash_hex) << "entry " << audit[i].seq;
    }
}

TEST_F(ArchiveRecordTest, StateWithoutAJournalGetsItWrittenFromTheCatalogAtStart) {
    dock_two_cameras();
    // As an older version left it: an archive and a catalog, no journal.
    fs::remove(rig.state / "archive" / std::string(kAuditJournalName));
    rig.run();
    expect_journal_matches_catalog(rig.state);
    EXPECT_EQ(join_problems(rig.invariant_problems()), "");
}

TEST_F(ArchiveRecordTest, JournalLineCutShortByACrashIsCompletedFromTheCatalog) {
    dock_two_cameras();
    const fs::path journal = rig.state / "archive" / std::string(kAuditJournalName);
    std::string text = file_text(journal);
    // The last line's write cut short half-way.
    const std::size_t last_line = text.rfind('\n', text.size() - 2) + 1;
    text.resize(last_line + (text.size() - last_line) / 2);
    fs::permissions(journal, fs::perms::owner_write, fs::perm_options::add);
    std::ofstream(journal, std::ios::binary | std::ios::trunc) << text;
    rig.run();
    expect_journal_matches_catalog(rig.state);
    EXPECT_EQ(join_problems(rig.invariant_problems()), "");
}

TEST_F(ArchiveRecordTest, RecordingsArchivedWithoutRecordsGetThemAtStartAndCanBeRebuilt) {
    dock_two_cameras();
    // As an earlier version left them: recordings without records, a catalog without hashes.
    for (const auto& [relative, sha] : files_under(rig.state / "archive")) {
        if (is_record_path(relative)) fs::remove(rig.state / "archive" / relative);
    }
    {
        sqlite3* db = nullptr;
        ASSERT_EQ(sqlite3_open((rig.state / "catalog.sqlite").c_str(), &db), SQLITE_OK);
        EXPECT_EQ(
            sqlite3_exec(db, "UPDATE recordings SET record_sha256 = ''", nullptr, nullptr, nullptr),
            SQLITE_OK);
        sqlite3_close(db);
    }
    rig.run();
    {
        Catalog catalog = Catalog::open_read_only(rig.state / "catalog.sqlite");
        const auto hashes = catalog.record_hashes();
        EXPECT_EQ(hashes.size(), 6u);
        std::map<std::int64_t, std::string> last_of_device;
        for (const RecordingRow& row : catalog.recordings()) {
            const std::string text =
                file_text(rig.state / "archive" / record_path_of(row.archive_path));
            std::string error;
            auto record = parse_record(text, error);
            ASSERT_TRUE(record) << error;
            EXPECT_EQ(record->sha256_hex, row.sha256_hex);
            EXPECT_EQ(record->identity.previous_record_sha256, last_of_device[row.key.device_id]);
            EXPECT_EQ(hashes.at(row.id), Sha256::hex_of(text));
            last_of_device[row.key.device_id] = Sha256::hex_of(text);
        }
    }
    EXPECT_EQ(join_problems(rig.invariant_problems()), "");
    fs::remove(rig.state / "catalog.sqlite");
    RebuildReport report = rebuild_catalog(rig.state, now_s());
    EXPECT_EQ(join_problems(report.disagreements), "");
    EXPECT_EQ(report.recordings, 6u);
    EXPECT_EQ(join_problems(verify_state(rig.state).problems), "");
}

TEST_F(ArchiveRecordTest, MissingCatalogStopsTheServiceAndTheArchiveIsUntouched) {
    dock_two_cameras();
    fs::remove(rig.state / "catalog.sqlite");
    EXPECT_NE(refusal_of(rig), "");
    expect_lights_need_custodian(rig);
    EXPECT_FALSE(fs::exists(rig.state / "catalog.sqlite")) << "a fresh catalog was created";
    EXPECT_EQ(files_under(rig.state / "archive"), archive_before);
    EXPECT_FALSE(fs::exists(rig.state / "quarantine"));
}

TEST_F(ArchiveRecordTest, OlderCatalogStopsTheServiceAndNothingIsDeleted) {
    rig.provision();
    // The first camera alone, then a copy of the catalog, then the second camera.
    const auto both = rig.spec.cameras;
    rig.spec.cameras = {both[0]};
    rig.run();
    fs::copy_file(rig.state / "catalog.sqlite", rig.root / "catalog-after-first.sqlite");
    rig.spec.cameras = both;
    rig.run();
    rig.spec.cameras = both;
    const auto archive_after_both = files_under(rig.state / "archive");
    ASSERT_EQ(recording_files(rig.state / "archive").size(), 6u);

    // The older copy restored over the catalog.
    fs::copy_file(rig.root / "catalog-after-first.sqlite", rig.state / "catalog.sqlite",
                  fs::copy_options::overwrite_existing);
    const std::string reason = refusal_of(rig);
    EXPECT_NE(reason.find("journal"), std::string::npos) << reason;
    expect_lights_need_custodian(rig);
    EXPECT_EQ(files_under(rig.state / "archive"), archive_after_both);
    EXPECT_FALSE(fs::exists(rig.state / "quarantine"));
    VerifyReport report = verify_state(rig.state);
    EXPECT_FALSE(report.ok());
}

TEST_F(ArchiveRecordTest, EmptyCatalogFileStopsTheService) {
    dock_two_cameras();
    std::ofstream(rig.state / "catalog.sqlite", std::ios::trunc).close();
    EXPECT_NE(refusal_of(rig), "");
    expect_lights_need_custodian(rig);
    EXPECT_EQ(fs::file_size(rig.state / "catalog.sqlite"), 0u);
    EXPECT_EQ(files_under(rig.state / "archive"), archive_before);
}

TEST_F(ArchiveRecordTest, CatalogThatIsNotADatabaseStopsTheService) {
    dock_two_cameras();
    std::ofstream(rig.state / "catalog.sqlite", std::ios::trunc)
        << std::string(8192, 'x') << "not a catalog";
    const std::string reason = refusal_of(rig);
    EXPECT_NE(reason.find("cannot be read"), std::string::npos) << reason;
    expect_lights_need_custodian(rig);
    EXPECT_EQ(files_under(rig.state / "archive"), archive_before);
}

TEST_F(ArchiveRecordTest, RebuiltCatalogHoldsEveryArchivedFileAndTheServiceRunsOnIt) {
    dock_two_cameras();
    std::vector<AuditRow> original_audit;
    {
        Catalog original = Catalog::open_read_only(rig.state / "catalog.sqlite");
        original_audit = original.audit_rows();
    }
    fs::remove(rig.state / "catalog.sqlite");
    ASSERT_NE(refusal_of(rig), "");

    RebuildReport report = rebuild_catalog(rig.state, now_s());
    ASSERT_EQ(report.refused, "");
    EXPECT_EQ(join_problems(report.disagreements), "");
    ASSERT_TRUE(report.written);
    EXPECT_EQ(report.devices, 2u);
    EXPECT_EQ(report.recordings, 6u);
    EXPECT_EQ(report.wiped, 6u);
    EXPECT_EQ(report.audit_entries, original_audit.size());
    EXPECT_FALSE(fs::exists(rig.state / "catalog.sqlite.rebuilding"));
    // Nothing in the archive changed.
    EXPECT_EQ(files_under(rig.state / "archive"), archive_before);

    VerifyReport verified = verify_state(rig.state);
    EXPECT_EQ(join_problems(verified.problems), "");
    EXPECT_EQ(verified.files_checked, 6u);
    {
        Catalog rebuilt = Catalog::open_read_only(rig.state / "catalog.sqlite");
        std::map<std::string, std::string> catalogued;
        for (const RecordingRow& row : rebuilt.recordings()) {
            EXPECT_EQ(row.state, RecordingState::wiped);
            catalogued[row.archive_path] = row.sha256_hex;
        }
        EXPECT_EQ(catalogued, recording_files(rig.state / "archive"));
        const auto audit = rebuilt.audit_rows();
        ASSERT_EQ(audit.size(), original_audit.size() + 1);
        for (std::size_t i = 0; i < original_audit.size(); ++i) {
            EXPECT_EQ(audit[i].hash_hex, original_audit[i].hash_hex);
        }
        EXPECT_EQ(audit.back().event, "catalog.rebuilt");
    }

    // A second rebuild refuses: the catalog exists now.
    EXPECT_NE(rebuild_catalog(rig.state, now_s()).refused, "");

    // The service starts on it and a re-docked camera is handled as before.
    auto reports = rig.run();
    ASSERT_EQ(reports.size(), 2u);
    for (const auto& dock : reports) {
        EXPECT_EQ(dock.light, hw::BayLight::ready) << dock.outcome;
        EXPECT_TRUE(dock.registered) << "the configured [[register]] is applied again";
    }
    EXPECT_FALSE(fs::exists(rig.state / "quarantine"));
    EXPECT_EQ(join_problems(rig.invariant_problems()), "");
    EXPECT_EQ(join_problems(rig.not_archived_and_wiped()), "");
}

TEST_F(ArchiveRecordTest, RebuildNamesAFileThatDisagreesWithItsRecordAndLeavesIt) {
    dock_two_cameras();
    fs::remove(rig.state / "catalog.sqlite");
    // One recording whose bytes changed, one without its record.
    const auto files = recording_files(rig.state / "archive");
    auto it = files.begin();
    const fs::path altered = rig.state / "archive" / it->first;
    fs::permissions(altered, fs::perms::owner_write, fs::perm_options::add);
    {
        std::fstream out(altered, std::ios::in | std::ios::out | std::ios::binary);
        out.seekp(10);
        out.put('\x5a');
    }
    const std::string altered_sha = Sha256::hex_of(file_text(altered));
    ++it;
    const fs::path record = rig.state / "archive" / record_path_of(it->first);
    fs::rename(record, rig.root / "moved-away.record");

    RebuildReport report = rebuild_catalog(rig.state, now_s());
    ASSERT_TRUE(report.written) << report.refused;
    EXPECT_EQ(report.recordings, 4u);
    const std::string said = join_problems(report.disagreements);
    EXPECT_NE(said.find(files.begin()->first), std::string::npos) << said;
    EXPECT_NE(said.find(it->first + ": has no record"), std::string::npos) << said;
    // Both files are still where they were.
    EXPECT_EQ(Sha256::hex_of(file_text(altered)), altered_sha);
    EXPECT_TRUE(fs::exists(rig.state / "archive" / it->first));
}

// A FileSystem on which the process "dies" right after a recording is renamed into the
// archive: every later operation fails, as if nothing more happened on the disk, so the
// catalog never commits the copy.
class DiesAfterArchiveRename final : public FileSystem {
  public:
    DiesAfterArchiveRename(FileSystem& inner, fs::path archive)
        : inner_(inner), archive_(archive) {}
    Fd open(const fs::path& p, int flags, unsigned mode) override {
        check();
        return inner_.open(p, flags, mode);
    }
    void write_all(const Fd& fd, std::span<const std::byte> data) override {
        check();
        inner_.write_all(fd, data);
    }
    std::size_t read(const Fd& fd, std::span<std::byte> out) override {
        check();
        return inner_.read(fd, out);
    }
    void fsync(const Fd& fd) override {
        check();
        inner_.fsync(fd);
    }
    void drop_cache(const Fd& fd) override {
        check();
        inner_.drop_cache(fd);
    }
    void make_read_only(const Fd& fd) override {
        check();
        inner_.make_read_only(fd);
    }
    void rename(const fs::path& from, const fs::path& to) override {
        check();
        inner_.rename(from, to);
        const std::string target = to.string();
        if (target.starts_with(archive_.string()) && !is_record_path(target)) dead_ = true;
    }
    void unlink(const fs::path& p) override {
        check();
        inner_.unlink(p);
    }
    void make_directories(const fs::path& p) override {
        check();
        inner_.make_directories(p);
    }
    void fsync_directory(const fs::path& p) override {
        check();
        inner_.fsync_directory(p);
    }
    std::uint64_t available_bytes(const fs::path& p) override {
        check();
        return inner_.available_bytes(p);
    }
    std::vector<std::string> list(const fs::path& dir) override {
        check();
        return inner_.list(dir);
    }

  private:
    void check() const {
        if (dead_) throw std::system_error(EIO, std::generic_category(), "the process is gone");
    }
    FileSystem& inner_;
    fs::path archive_;
    std::atomic<bool> dead_{false};
};

TEST(ArchiveRecovery, CopyRenamedButNotCommittedIsAdoptedNeverDeleted) {
    Rig rig(1, 2, 64 << 10);
    PosixFileSystem posix;
    DiesAfterArchiveRename dying(posix, rig.state / "archive");
    rig.run(&dying);
    const auto left = recording_files(rig.state / "archive");
    ASSERT_EQ(left.size(), 1u) << "the renamed copy is in the archive, uncommitted";
    {
        Catalog catalog = Catalog::open_read_only(rig.state / "catalog.sqlite");
        ASSERT_EQ(catalog.recordings_in_state(RecordingState::copying).size(), 1u);
    }
    ASSERT_EQ(join_problems(rig.loss_problems()), "");

    rig.run_clean();
    // The same file, at the same place, now catalogued as archived with its hash.
    Catalog catalog = Catalog::open_read_only(rig.state / "catalog.sqlite");
    bool adopted = false;
    for (const RecordingRow& row : catalog.recordings()) {
        if (row.archive_path == left.begin()->first) {
            EXPECT_EQ(row.sha256_hex, left.begin()->second);
            adopted = row.state != RecordingState::copying;
        }
    }
    EXPECT_TRUE(adopted);
    bool audited = false;
    for (const AuditRow& row : catalog.audit_rows()) audited |= row.event == "recovery.adopted";
    EXPECT_TRUE(audited);
    EXPECT_EQ(files_under(rig.state / "quarantine").size(), 0u);
    EXPECT_EQ(join_problems(rig.invariant_problems()), "");
    EXPECT_EQ(join_problems(rig.not_archived_and_wiped()), "");
}

TEST(ArchiveRecovery, FileTheCatalogDoesNotAccountForIsQuarantinedNeverDeleted) {
    Rig rig(1, 2, 64 << 10);
    rig.run();
    // A file and a record that no catalog row accounts for (a catalog that lost them).
    const auto files = recording_files(rig.state / "archive");
    ASSERT_EQ(files.size(), 2u);
    const fs::path source = rig.state / "archive" / files.begin()->first;
    const fs::path planted = source.parent_path() / "00009999.mp4";
    fs::copy_file(source, planted);
    fs::copy_file(rig.state / "archive" / record_path_of(files.begin()->first),
                  planted.string() + ".record");
    const std::string planted_sha = Sha256::hex_of(file_text(planted));
    const fs::path lone_record = source.parent_path() / "00009998.bin.record";
    std::ofstream(lone_record) << "not a record\n";

    rig.run_clean();
    EXPECT_FALSE(fs::exists(planted));
    EXPECT_FALSE(fs::exists(lone_record));
    const auto quarantined = files_under(rig.state / "quarantine");
    const std::string relative = planted.lexically_relative(rig.state / "archive").generic_string();
    ASSERT_TRUE(quarantined.contains(relative)) << join_problems(quarantined_files(rig.state));
    EXPECT_EQ(quarantined.at(relative), planted_sha);
    EXPECT_TRUE(quarantined.contains(relative + ".record"));
    EXPECT_TRUE(quarantined.contains(
        lone_record.lexically_relative(rig.state / "archive").generic_string()));
    {
        Catalog catalog = Catalog::open_read_only(rig.state / "catalog.sqlite");
        int audited = 0;
        for (const AuditRow& row : catalog.audit_rows()) {
            audited += row.event == "recovery.quarantined" ? 1 : 0;
        }
        EXPECT_EQ(audited, 3);
    }
    VerifyReport report = verify_state(rig.state);
    EXPECT_EQ(report.quarantined.size(), 3u);
    EXPECT_EQ(join_problems(rig.invariant_problems()), "");
}

TEST(ArchiveRecord, ParserRefusesWhatIsNotAWellFormedRecord) {
    ArchiveRecord record;
    record.recording_id = 7;
    record.device_id = 2;
    record.identity.device_serial = "SN\n1";
    record.raw_name = std::string("A\0/../b.mp4", 11);
    record.archive_path = "2026/01/02/000002/00000007.mp4";
    record.sha256_hex = std::string(64, 'a');
    record.size = 5;
    const std::string text = format_record(record);
    std::string error;
    auto parsed = parse_record(text, error);
    ASSERT_TRUE(parsed) << error;
    EXPECT_EQ(parsed->raw_name, record.raw_name);
    EXPECT_EQ(parsed->identity.device_serial, "SN?1");
    for (std::string bad : {std::string(), text.substr(0, text.size() - 1), text + "extra=1\n",
                            "cradled-record=2" + text.substr(text.find('\n')),
                            "cradled-record=3" + text.substr(text.find('\n')),
                            std::string(ArchiveRecord::kMaxBytes + 1, 'x')}) {
        EXPECT_FALSE(parse_record(bad, error)) << bad;
    }
    std::string traversal = text;
    traversal.replace(traversal.find("2026/01/02"), 10, "../../etc/");
    EXPECT_FALSE(parse_record(traversal, error));

    // Version 2: signed; a key id or signature that is not hex of its length is refused.
    const SigningKey key = SigningKey::generate();
    const std::string signed_text = format_record(record, &key);
    auto signed_record = parse_record(signed_text, error);
    ASSERT_TRUE(signed_record) << error;
    EXPECT_TRUE(record_signature_verifies(signed_text, *signed_record, key.public_key()));
    EXPECT_FALSE(record_signature_verifies(signed_text, *signed_record,
                                           SigningKey::generate().public_key()));
    EXPECT_FALSE(record_signature_verifies(text, *parsed, key.public_key())) << "unsigned";
    for (const auto& [field, replacement] :
         {std::pair{"key_id=", "key_id=XYZ"}, std::pair{"signature=", "signature=00"}}) {
        std::string bad = signed_text;
        const std::size_t at = bad.find(field);
        bad.replace(at, bad.find('\n', at) - at, replacement);
        EXPECT_FALSE(parse_record(bad, error)) << bad;
    }
    // Any signed byte changed (a record edited by hand) fails the signature.
    std::string edited = signed_text;
    edited.replace(edited.find("size=5"), 6, "size=6");
    auto edited_record = parse_record(edited, error);
    ASSERT_TRUE(edited_record) << error;
    EXPECT_FALSE(record_signature_verifies(edited, *edited_record, key.public_key()));
}

// Someone with write access to the archive and the catalog edits a record, and the catalog's
// hash of it, to match: the record's signature names it.
TEST_F(ArchiveRecordTest, ARecordEditedWithTheCatalogToMatchFailsItsSignature) {
    dock_two_cameras();
    Catalog catalog = Catalog::open_read_only(rig.state / "catalog.sqlite");
    const RecordingRow row = catalog.recordings().front();
    const fs::path file = rig.state / "archive" / record_path_of(row.archive_path);
    std::string text = file_text(file);
    const std::size_t at = text.find("device_model=");
    text.insert(at + std::string_view("device_model=").size(), "X");
    fs::permissions(file, fs::perms::owner_write, fs::perm_options::add);
    std::ofstream(file, std::ios::trunc | std::ios::binary) << text;
    ASSERT_EQ(tamper_with_catalog(rig.state, "UPDATE recordings SET record_sha256 = '" +
                                                 Sha256::hex_of(text) +
                                                 "' WHERE id = " + std::to_string(row.id)),
              "");
    const std::string problems = join_problems(rig.invariant_problems());
    EXPECT_NE(problems.find("recording " + std::to_string(row.id) + ": its record"),
              std::string::npos)
        << problems;
    EXPECT_NE(problems.find("signature that does not verify"), std::string::npos) << problems;
}

}  // namespace
}  // namespace cradle::test
