// SPDX-License-Identifier: Apache-2.0
#include "core/catalog/state_verifier.hpp"

#include "core/archive/archive_record.hpp"
#include "core/catalog/catalog.hpp"
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

TEST_F(StateVerifierTest, AMissingCatalogIsAnOpenError) {
    TempDir empty;
    EXPECT_THROW(verify_state(empty.path()), CatalogError);
}

}  // namespace
}  // namespace cradle
