// SPDX-License-Identifier: Apache-2.0
#include "core/catalog/state_verifier.hpp"

#include "core/archive/archive_record.hpp"
#include "core/catalog/catalog.hpp"
#include "core/catalog/register_replay.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/state_dir_builder.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <string>

namespace cradle {
namespace {

using test::StateDirBuilder;
using test::TempDir;

void tamper(const std::filesystem::path& state_dir, const std::string& sql) {
    ASSERT_EQ(test::tamper_with_catalog(state_dir, sql), "");
}

std::string all_problems(const VerifyReport& report) {
    std::string text;
    for (const std::string& problem : report.problems) text += problem + "\n";
    return text;
}

// True if one problem line mentions every one of the given fragments.
testing::AssertionResult has_problem(const VerifyReport& report,
                                     std::initializer_list<std::string> fragments) {
    for (const std::string& problem : report.problems) {
        if (std::all_of(fragments.begin(), fragments.end(), [&](const std::string& fragment) {
                return problem.find(fragment) != std::string::npos;
            })) {
            return testing::AssertionSuccess();
        }
    }
    std::string wanted;
    for (const std::string& fragment : fragments) wanted += "'" + fragment + "' ";
    return testing::AssertionFailure() << "no problem line mentions " << wanted << "; got:\n"
                                       << all_problems(report);
}

class StateVerifierTest : public ::testing::Test {
  protected:
    StateVerifierTest() : builder_(dir_.path()) {
        first_ = builder_.add_recording("SN-1", "VID_0001.MP4", std::string(300000, 'a'));
        second_ = builder_.add_recording("SN-1", "VID_0002.MP4", "short clip", /*wiped=*/true);
        third_ = builder_.add_recording("SN-2", "\x1b[31mevil\n", "another clip");
        builder_.catalog().audit({"dock.end", 1, "SN-1", 0, "ready"}, 1714557700);
    }

    const std::filesystem::path& state() const { return dir_.path(); }

    TempDir dir_;
    StateDirBuilder builder_;
    test::BuiltRecording first_, second_, third_;
};

TEST_F(StateVerifierTest, ACleanStatePasses) {
    VerifyReport report = verify_state(state());
    EXPECT_TRUE(report.ok()) << all_problems(report);
    EXPECT_EQ(report.recordings_checked, 3u);
    EXPECT_EQ(report.files_checked, 3u);
    EXPECT_EQ(report.audit_rows_checked, 6u);  // the key, 3 archived, 1 wiped, 1 dock.end
    EXPECT_EQ(report.signed_entries, 6u);
    ASSERT_EQ(report.signing_keys.size(), 1u);
    EXPECT_EQ(report.signing_keys[0], read_public_key(public_key_file(state())).fingerprint());
}

TEST_F(StateVerifierTest, ACleanStatePassesAfterTheDaemonClosedTheCatalog) {
    builder_.close_catalog();
    VerifyReport report = verify_state(state());
    EXPECT_TRUE(report.ok()) << all_problems(report);
    EXPECT_EQ(report.recordings_checked, 3u);
}

TEST_F(StateVerifierTest, ACopyingRowWithoutAFileIsFine) {
    DeviceRow device = *builder_.catalog().find_device("SN-1");
    builder_.catalog().begin_recording({device.id, 77, "VID_0077.MP4", 5, 1714550000});
    VerifyReport report = verify_state(state());
    EXPECT_TRUE(report.ok()) << all_problems(report);
}

TEST_F(StateVerifierTest, DetectsAChangedByte) {
    test::flip_byte(first_.file, 150000);
    VerifyReport report = verify_state(state());
    ASSERT_EQ(report.problems.size(), 1u) << all_problems(report);
    EXPECT_TRUE(has_problem(report, {"recording " + std::to_string(first_.id),
                                     "archive/" + first_.relative_path, "hashes to"}));
}

TEST_F(StateVerifierTest, DetectsAMissingFile) {
    std::filesystem::remove(second_.file);
    VerifyReport report = verify_state(state());
    ASSERT_EQ(report.problems.size(), 1u) << all_problems(report);
    EXPECT_TRUE(has_problem(report, {"recording " + std::to_string(second_.id),
                                     "archive/" + second_.relative_path, "missing"}));
}

TEST_F(StateVerifierTest, DetectsATruncatedFile) {
    ::chmod(third_.file.c_str(), 0644);
    std::filesystem::resize_file(third_.file, 3);
    ::chmod(third_.file.c_str(), 0444);
    VerifyReport report = verify_state(state());
    ASSERT_EQ(report.problems.size(), 1u) << all_problems(report);
    EXPECT_TRUE(has_problem(report, {"recording " + std::to_string(third_.id), "3 bytes"}));
}

TEST_F(StateVerifierTest, DetectsAnOrphanFile) {
    std::filesystem::path orphan = state() / "archive/2024/05/02/1/99.mp4";
    std::filesystem::create_directories(orphan.parent_path());
    std::ofstream(orphan) << "nobody's";
    VerifyReport report = verify_state(state());
    ASSERT_EQ(report.problems.size(), 1u) << all_problems(report);
    EXPECT_TRUE(has_problem(report, {"orphan", "archive/2024/05/02/1/99.mp4"}));
}

TEST_F(StateVerifierTest, DetectsAStagingLeftover) {
    std::ofstream(state() / "staging" / "12.part") << "half a copy";
    VerifyReport report = verify_state(state());
    ASSERT_EQ(report.problems.size(), 1u) << all_problems(report);
    EXPECT_TRUE(has_problem(report, {"staging/12.part"}));
}

TEST_F(StateVerifierTest, DetectsAWritableArchivedFile) {
    ::chmod(first_.file.c_str(), 0644);
    VerifyReport report = verify_state(state());
    ASSERT_EQ(report.problems.size(), 1u) << all_problems(report);
    EXPECT_TRUE(has_problem(
        report, {"recording " + std::to_string(first_.id), first_.relative_path, "writable"}));
}

TEST_F(StateVerifierTest, DetectsABrokenAuditChain) {
    builder_.close_catalog();
    tamper(state(),
           "DROP TRIGGER audit_no_update; UPDATE audit SET detail = 'nothing happened' "
           "WHERE seq = 2");
    VerifyReport report = verify_state(state());
    EXPECT_TRUE(has_problem(report, {"audit entry 2", "altered"}));
}

TEST_F(StateVerifierTest, DetectsAnAuditEntryRemovedFromTheMiddleOfTheChain) {
    tamper(state(), "DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE seq = 2");
    VerifyReport report = verify_state(state());
    EXPECT_TRUE(has_problem(report, {"audit entry 3", "missing"}));
    EXPECT_TRUE(has_problem(report, {"audit entry 3", "does not link"}));
}

TEST_F(StateVerifierTest, DetectsAMissingAuditEntry) {
    // The last archived entry is the tail of the chain: the chain alone cannot miss it.
    tamper(state(),
           "DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE seq >= (SELECT seq FROM audit "
           "WHERE event = 'recording.archived' AND recording_id = " +
               std::to_string(third_.id) + ")");
    VerifyReport report = verify_state(state());
    ASSERT_EQ(report.problems.size(), 1u) << all_problems(report);
    EXPECT_TRUE(
        has_problem(report, {"recording " + std::to_string(third_.id), "recording.archived"}));
}

TEST_F(StateVerifierTest, DetectsAMissingWipedEntry) {
    tamper(state(),
           "DROP TRIGGER audit_no_update; UPDATE audit SET event = 'recording.wipe' "
           "WHERE event = 'recording.wiped'");
    VerifyReport report = verify_state(state());
    EXPECT_TRUE(
        has_problem(report, {"recording " + std::to_string(second_.id), "recording.wiped"}));
}

TEST_F(StateVerifierTest, DetectsACatalogHashEditedToMatchAnAlteredFile) {
    test::flip_byte(first_.file, 10);
    std::ifstream in(first_.file, std::ios::binary);
    std::string altered((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    tamper(state(), "UPDATE recordings SET sha256 = '" + Sha256::hex_of(altered) +
                        "' WHERE id = " + std::to_string(first_.id));
    VerifyReport report = verify_state(state());
    ASSERT_EQ(report.problems.size(), 1u) << all_problems(report);
    EXPECT_TRUE(has_problem(report, {"recording " + std::to_string(first_.id), "audit entry"}));
}

TEST_F(StateVerifierTest, DetectsAnArchivePathPointingOutsideTheArchive) {
    tamper(state(), "UPDATE recordings SET archive_path = '../catalog.sqlite' WHERE id = " +
                        std::to_string(first_.id));
    VerifyReport report = verify_state(state());
    EXPECT_TRUE(
        has_problem(report, {"recording " + std::to_string(first_.id), "not a plain path"}));
    EXPECT_TRUE(has_problem(report, {"orphan", first_.relative_path}));
}

// A record too large to be one is refused without being read whole, and reported as before:
// it cannot hash to the record hash the catalog holds, and it is larger than a record can be.
TEST_F(StateVerifierTest, DetectsARecordLargerThanARecordCanBe) {
    const std::filesystem::path record = state() / "archive" / record_path_of(first_.relative_path);
    std::ofstream(record) << std::string(ArchiveRecord::kMaxBytes + 4096 * 3, 'x');
    tamper(state(), "UPDATE recordings SET record_sha256 = '" + std::string(64, 'a') +
                        "' WHERE id = " + std::to_string(first_.id));
    VerifyReport report = verify_state(state());
    ASSERT_EQ(report.problems.size(), 2u) << all_problems(report);
    EXPECT_TRUE(has_problem(report, {"recording " + std::to_string(first_.id), "its record",
                                     "does not hash to the record hash the catalog holds"}));
    EXPECT_TRUE(has_problem(report, {"recording " + std::to_string(first_.id), "its record",
                                     "larger than a record can be"}));
}

// What stands where a record should be but is no file to read: a link is not followed, a
// directory is not read, and a FIFO does not hang the verifier.
TEST_F(StateVerifierTest, DetectsARecordThatIsNoFileToRead) {
    const auto record_of = [&](const test::BuiltRecording& built) {
        return state() / "archive" / record_path_of(built.relative_path);
    };
    std::ofstream(state() / "elsewhere.record") << "not in the archive\n";
    std::filesystem::create_symlink(state() / "elsewhere.record", record_of(first_));
    std::filesystem::create_directory(record_of(second_));
    ASSERT_EQ(::mkfifo(record_of(third_).c_str(), 0600), 0);
    VerifyReport report = verify_state(state());
    EXPECT_EQ(report.problems.size(), 3u) << all_problems(report);
    EXPECT_TRUE(has_problem(
        report, {"recording " + std::to_string(first_.id), "its record", "cannot be opened"}));
    EXPECT_TRUE(has_problem(
        report, {"recording " + std::to_string(second_.id), "its record", "cannot be read"}));
    EXPECT_TRUE(has_problem(
        report, {"recording " + std::to_string(third_.id), "its record", "cannot be read"}));
}

// The register and the roster as custodians and IT change them: registrations, a reassignment,
// a change, a retirement and a reinstatement, a device retired that was never registered, names
// that hold the details' separators, a reason longer than the log keeps, and two roster
// imports, the second changing an officer under another spelling of the ID.
class RegisterVerifyTest : public StateVerifierTest {
  protected:
    static constexpr std::int64_t kAt = 1714560000;
    static constexpr const char* kBy = "uid 1000 (alice)";

    RegisterVerifyTest() {
        Catalog& catalog = builder_.catalog();
        catalog.register_device("SN-1", "Custodian A", "Officer 1", "Head X", kAt, kBy);
        catalog.assign_officer("SN-1", "Officer 2", kAt, kBy, "shift change");
        catalog.register_device("SN-1", "Custodian B", "Officer 2", "Head X", kAt + 10, kBy);
        catalog.retire_device("SN-1", "screen broken", kAt + 20, kBy);
        catalog.register_device("SN-1", "Custodian B", "Officer 3", "Head X", kAt + 30, kBy,
                                "repaired");
        catalog.apply_configured_registration("SN-2", "C; officer=O", "P; head=Q", "H; by=me", kAt);
        catalog.register_device("SN-2", "C; officer=O", "Officer 4", "H; by=me", kAt + 40, kBy,
                                std::string(1500, 'r'));
        catalog.upsert_device("SN-3", "Maker", "BC-1", "1.0", kAt);
        catalog.retire_device("SN-3", "lost before it was issued", kAt + 50, kBy);
        catalog.upsert_officers(
            {{"B-1", "Ann Smith", "Team 1", 0}, {"b-2", "Bob Lee", "Team 2", 0}}, kAt, kBy);
        catalog.upsert_officers({{"b-1", "Ann Jones", "Team 1", 0},
                                 {"B-2", "Bob Lee", "Team 2", 0},
                                 {"C-3", "Cy; team=x", "T; by=y", 0}},
                                kAt + 60, kBy);
        builder_.close_catalog();
    }

    std::int64_t history_id(const std::string& serial, const std::string& action) {
        Catalog catalog = Catalog::open_read_only(state() / "catalog.sqlite");
        for (const DeviceHistoryRow& row : catalog.device_history(serial)) {
            if (row.action == action) return row.id;
        }
        ADD_FAILURE() << "no " << action << " row of " << serial;
        return 0;
    }

    // The latest entry of the event for the device.
    std::int64_t audit_seq(const std::string& serial, const std::string& event) {
        Catalog catalog = Catalog::open_read_only(state() / "catalog.sqlite");
        std::int64_t seq = 0;
        for (const AuditRow& row : catalog.audit_rows()) {
            if (row.device_serial == serial && row.event == event) seq = row.seq;
        }
        if (seq == 0) ADD_FAILURE() << "no " << event << " entry of " << serial;
        return seq;
    }
};

TEST_F(RegisterVerifyTest, AnUntouchedRegisterAndRosterVerify) {
    {
        Catalog catalog = Catalog::open_read_only(state() / "catalog.sqlite");
        std::vector<std::string> actions;
        for (const DeviceHistoryRow& row : catalog.device_history()) actions.push_back(row.action);
        EXPECT_EQ(actions.size(), 8u);
        for (const char* action :
             {"registered", "reassigned", "changed", "retired", "reinstated"}) {
            EXPECT_NE(std::find(actions.begin(), actions.end(), action), actions.end()) << action;
        }
        const auto officers = catalog.officers();
        ASSERT_EQ(officers.size(), 3u);
        EXPECT_EQ(officers[0].badge, "B-1") << "the row keeps the ID as first added";
        EXPECT_EQ(officers[0].name, "Ann Jones");
    }
    VerifyReport report = verify_state(state());
    EXPECT_TRUE(report.ok()) << all_problems(report);
}

TEST_F(RegisterVerifyTest, DetectsADevicesRowGivenAnotherCustodian) {
    tamper(state(), "UPDATE devices SET custodian = 'Mallory' WHERE serial = 'SN-1'");
    VerifyReport report = verify_state(state());
    ASSERT_EQ(report.problems.size(), 1u) << all_problems(report);
    EXPECT_TRUE(has_problem(
        report, {"devices row of device 'SN-1'", "custodian is 'Mallory'",
                 "audit entry " + std::to_string(audit_seq("SN-1", "device.registered")),
                 "'Custodian B'"}));
}

TEST_F(RegisterVerifyTest, DetectsADeviceRegisteredOrTakenBackIntoServiceInTheTableAlone) {
    tamper(state(),
           "UPDATE devices SET registered = 1, officer = 'Ghost' WHERE serial = 'SN-3';"
           "UPDATE devices SET retired = 0, retired_at = 0 WHERE serial = 'SN-3'");
    VerifyReport report = verify_state(state());
    EXPECT_EQ(report.problems.size(), 4u) << all_problems(report);
    EXPECT_TRUE(has_problem(report, {"devices row of device 'SN-3'", "registered is 1", "0"}));
    EXPECT_TRUE(has_problem(report, {"devices row of device 'SN-3'", "officer is 'Ghost'"}));
    EXPECT_TRUE(has_problem(
        report,
        {"devices row of device 'SN-3'", "retired is 0",
         "audit entry " + std::to_string(audit_seq("SN-3", "device.retired")) + " says 1"}));
    EXPECT_TRUE(has_problem(report, {"devices row of device 'SN-3'", "retired_at is 0"}));
}

TEST_F(RegisterVerifyTest, DetectsARegistrationOfADeviceTheLogNeverRegistered) {
    tamper(state(),
           "INSERT INTO devices (serial, registered, custodian, officer, head) "
           "VALUES ('SN-9', 1, 'Mallory', 'Mallory', 'Mallory')");
    VerifyReport report = verify_state(state());
    EXPECT_TRUE(has_problem(
        report, {"devices row of device 'SN-9'", "registered is 1", "no register entry"}));
    EXPECT_TRUE(has_problem(report, {"devices row of device 'SN-9'", "custodian is 'Mallory'"}));
}

TEST_F(RegisterVerifyTest, DetectsAChangedHistoryRow) {
    const std::int64_t id = history_id("SN-1", "reassigned");
    tamper(state(),
           "DROP TRIGGER device_history_no_update; UPDATE device_history SET officer = "
           "'Mallory', reason = '' WHERE id = " +
               std::to_string(id));
    VerifyReport report = verify_state(state());
    ASSERT_EQ(report.problems.size(), 2u) << all_problems(report);
    const std::string row = "device_history row " + std::to_string(id) + " (device 'SN-1')";
    EXPECT_TRUE(has_problem(report, {row, "officer is 'Mallory'", "says 'Officer 2'"}));
    EXPECT_TRUE(has_problem(report, {row, "reason is ''", "says 'shift change'"}));
}

TEST_F(RegisterVerifyTest, DetectsAHistoryRowWithAnotherAction) {
    const std::int64_t id = history_id("SN-1", "reinstated");
    tamper(state(),
           "DROP TRIGGER device_history_no_update; UPDATE device_history SET action = "
           "'changed' WHERE id = " +
               std::to_string(id));
    VerifyReport report = verify_state(state());
    EXPECT_TRUE(has_problem(report, {"device_history row " + std::to_string(id),
                                     "action is 'changed'", "makes it 'reinstated'"}));
}

TEST_F(RegisterVerifyTest, DetectsAHistoryRowRemoved) {
    const std::int64_t seq = audit_seq("SN-1", "device.retired");
    tamper(state(),
           "DROP TRIGGER device_history_no_delete; DELETE FROM device_history WHERE id = " +
               std::to_string(history_id("SN-1", "retired")));
    VerifyReport report = verify_state(state());
    ASSERT_EQ(report.problems.size(), 1u) << all_problems(report);
    EXPECT_TRUE(has_problem(report, {"audit entry " + std::to_string(seq), "device.retired",
                                     "'SN-1'", "device_history table has no row"}));
}

TEST_F(RegisterVerifyTest, DetectsAHistoryRowAdded) {
    tamper(state(),
           "INSERT INTO device_history (serial, at, action, custodian, officer, head, "
           "previous_custodian, previous_officer, previous_head, changed_by, reason) "
           "VALUES ('SN-1', 1714570000, 'reassigned', 'Custodian B', 'Mallory', 'Head X', "
           "'Custodian B', 'Officer 3', 'Head X', 'uid 1000 (alice)', '')");
    VerifyReport report = verify_state(state());
    ASSERT_EQ(report.problems.size(), 1u) << all_problems(report);
    EXPECT_TRUE(has_problem(report, {"device_history row", "'SN-1'", "records it", "1714570000"}));
}

TEST_F(RegisterVerifyTest, DetectsAnOfficerRenamedInTheTable) {
    tamper(state(), "UPDATE officers SET name = 'Mallory' WHERE badge = 'B-1'");
    VerifyReport report = verify_state(state());
    ASSERT_EQ(report.problems.size(), 1u) << all_problems(report);
    EXPECT_TRUE(
        has_problem(report, {"officers row of ID 'B-1'", "name is 'Mallory'", "says 'Ann Jones'"}));
}

TEST_F(RegisterVerifyTest, DetectsAnOfficerAddedOrRemovedInTheTable) {
    tamper(state(),
           "INSERT INTO officers (badge, name, team, updated_at) VALUES ('Z-9', 'Mallory', '', 1);"
           "DELETE FROM officers WHERE badge = 'C-3'");
    VerifyReport report = verify_state(state());
    ASSERT_EQ(report.problems.size(), 2u) << all_problems(report);
    EXPECT_TRUE(has_problem(report, {"officers row of ID 'Z-9'", "no officer.added entry"}));
    EXPECT_TRUE(has_problem(report, {"officer 'C-3'", "officers table has no row"}));
}

TEST_F(RegisterVerifyTest, DetectsAnOfficersIdSpeltOtherwiseOrTimeChanged) {
    tamper(state(), "UPDATE officers SET badge = 'b-1', updated_at = 5 WHERE badge = 'B-1'");
    VerifyReport report = verify_state(state());
    ASSERT_EQ(report.problems.size(), 2u) << all_problems(report);
    EXPECT_TRUE(has_problem(report, {"officers row of ID 'b-1'", "spells it 'B-1'"}));
    EXPECT_TRUE(has_problem(report, {"officers row of ID 'b-1'", "updated_at is 5",
                                     "written at " + std::to_string(kAt + 60)}));
}

// The confidentiality marks are held to the log: a mark dropped from the table (which would
// show the recording to anyone who may read) or one added there alone is named.
TEST_F(StateVerifierTest, ConfidentialMarksAreHeldToTheAuditLog) {
    Catalog& catalog = builder_.catalog();
    ASSERT_TRUE(catalog.mark_recording_confidential(first_.id, true, "informant", 1714557800,
                                                    "uid 0 (root)"));
    ASSERT_TRUE(
        catalog.mark_device_confidential("SN-2", true, "inquiry", 1714557801, "uid 0 (root)"));
    ASSERT_TRUE(
        catalog.mark_device_confidential("SN-2", false, "closed", 1714557802, "uid 0 (root)"));
    builder_.close_catalog();
    VerifyReport clean = verify_state(state());
    EXPECT_TRUE(clean.ok()) << all_problems(clean);

    tamper(state(),
           "DROP TRIGGER IF EXISTS confidential_marks_no_delete;"
           "DELETE FROM confidential_marks WHERE recording_id = " +
               std::to_string(first_.id) +
               ";"
               "INSERT INTO confidential_marks (recording_id, confidential, reason, at, "
               "changed_by) VALUES (" +
               std::to_string(second_.id) + ", 1, 'forged', 1, 'x')");
    VerifyReport report = verify_state(state());
    EXPECT_TRUE(has_problem(report, {"confidential_marks: recording " + std::to_string(first_.id),
                                     "not marked", "the audit log says it is"}));
    EXPECT_TRUE(has_problem(report, {"confidential_marks: recording " + std::to_string(second_.id),
                                     "is marked", "says it is not"}));
    EXPECT_EQ(report.problems.size(), 2u) << all_problems(report);
}

// Catalogs of schema 1 and 2 kept no register history: their registrations, written before the
// cradle had a key, are in the audit log only. Every entry after the first one with its row,
// and every signed one, needs its row.
TEST(RegisterVerifyOfAnEarlierVersion, UnsignedRegistrationsBeforeTheHistoryNeedNoRow) {
    TempDir dir;
    std::filesystem::create_directories(dir.path() / "archive");
    std::filesystem::create_directories(dir.path() / "staging");
    {
        Catalog catalog(dir.path() / "catalog.sqlite");
        catalog.register_device("SN-1", "Custodian A", "Officer 1", "Head X", 1714550000);
        catalog.register_device("SN-1", "Custodian A", "Officer 2", "Head X", 1714550001);
        // As a catalog of version 2 left them: the history came with version 3.
        ASSERT_EQ(test::tamper_with_catalog(dir.path(),
                                            "DROP TRIGGER device_history_no_delete; "
                                            "DELETE FROM device_history"),
                  "");
        adopt_signing_key(catalog, dir.path(), 1714550002);
        catalog.register_device("SN-1", "Custodian B", "Officer 2", "Head X", 1714550003,
                                "uid 1000 (alice)");
    }
    VerifyReport report = verify_state(dir.path());
    EXPECT_TRUE(report.ok()) << all_problems(report);
    EXPECT_EQ(report.entries_before_key, 2u);

    test::tamper_with_catalog(dir.path(), "DELETE FROM device_history");
    report = verify_state(dir.path());
    ASSERT_EQ(report.problems.size(), 1u) << all_problems(report);
    EXPECT_TRUE(has_problem(report, {"audit entry 4", "device_history table has no row"}));
}

// rebuild-catalog restores the audit log but not the register or the roster (they are not in the
// archive): the rebuilt catalog's devices are unregistered, its history and roster empty.
TEST(RegisterReplay, ACatalogRebuiltStartsTheRegisterAndTheRosterAfresh) {
    std::vector<AuditRow> audit(3);
    audit[0] = {
        1,  100, "device.registered", 0, "SN-1", 0, "custodian=C; officer=O; head=H; by=me", "", "",
        "", ""};
    audit[1] = {2,  101, "officer.added", 0, "", 0, "badge=B-1; name=Ann; team=T; by=me", "", "",
                "", ""};
    audit[2] = {3, 102, "catalog.rebuilt", 0, "", 0, "rebuilt from the archive", "", "", "", ""};
    RegisterTables rebuilt;
    DeviceRow device;
    device.id = 1;
    device.serial = "SN-1";
    rebuilt.devices.push_back(device);
    std::vector<std::string> problems;
    check_register_against_audit(audit, rebuilt, problems);
    EXPECT_TRUE(problems.empty()) << problems.front();

    audit.pop_back();
    check_register_against_audit(audit, rebuilt, problems);
    std::string all;
    for (const std::string& problem : problems) all += problem + "\n";
    EXPECT_NE(all.find("devices row of device 'SN-1': registered is 0, audit entry 1 says 1"),
              std::string::npos)
        << all;
    EXPECT_NE(all.find("officer 'B-1': audit entry 2"), std::string::npos) << all;
}

TEST_F(StateVerifierTest, AMissingCatalogIsAnOpenError) {
    TempDir empty;
    EXPECT_THROW(verify_state(empty.path()), CatalogError);
}

}  // namespace
}  // namespace cradle
