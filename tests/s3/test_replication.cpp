// SPDX-License-Identifier: Apache-2.0
// What the central archive receives of an archived recording and of the audit journal, in a
// real Ceph RADOS Gateway (the fixture s3_store): the file and its record under the cradle's
// keys, both locked a year past the later of capture and archival, and the journal in locked
// segments.
#include "common/fs.hpp"
#include "common/sha256.hpp"
#include "common/time_format.hpp"
#include "core/archive/archive_record.hpp"
#include "core/catalog/audit_journal.hpp"
#include "core/catalog/catalog.hpp"
#include "engine/replication.hpp"
#include "tests/s3/s3_store.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <optional>
#include <string>

namespace cradle {
namespace {

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

void write_file(const std::filesystem::path& file, const std::string& text) {
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << text;
}

class ReplicationTest : public ::testing::Test {
  protected:
    void SetUp() override {
        store_ = test::s3_store();
        remote_.endpoint = store_.endpoint;
        remote_.bucket = test::fresh_bucket_name();
        remote_.region = store_.region;
        remote_.cradle_id = "station-1.cradle-2";
        client_.emplace(test::s3_options(store_, remote_.bucket), store_.credentials);
        client_->create_bucket(true);
        catalog_.emplace(dir_.path() / "catalog.sqlite");
    }

    // An archived recording with its file and record in the archive, captured at `captured`.
    ReplicationItem archived(std::int64_t captured, std::int64_t archived_at) {
        const std::string footage = "footage of " + std::to_string(captured);
        const std::string path = "2026/12/07/000001/00000001.mp4";
        write_file(archive_root() / path, footage);
        const std::string record = "a record";
        write_file(archive_root() / record_path_of(path), record);
        const DeviceRow device = catalog_->upsert_device("SN-1", "M", "BC", "1", archived_at);
        const auto id =
            catalog_->begin_recording({device.id, 1, "VID_1.MP4", footage.size(), captured}).id;
        catalog_->mark_archived(id, Sha256::hex_of(footage), path, archived_at,
                                {"recording.archived", 1, "SN-1", id, ""}, Sha256::hex_of(record));
        const auto due = catalog_->replication_due(archived_at, 10);
        EXPECT_EQ(due.size(), 1u);
        return due.at(0);
    }

    std::filesystem::path archive_root() const { return dir_.path() / "archive"; }

    std::string retain_until(const std::string& key) {
        const auto head = client_->head_object(key);
        EXPECT_TRUE(head.has_value()) << key;
        if (!head) return {};
        const auto retention = client_->get_retention(key, head->version_id);
        EXPECT_TRUE(retention.has_value()) << key;
        EXPECT_EQ(retention->mode, remote::LockMode::compliance) << key;
        return retention ? retention->retain_until.substr(0, 19) + "Z" : std::string();
    }

    test::S3Store store_;
    RemoteConfig remote_;
    std::optional<remote::S3Client> client_;
    test::TempDir dir_;
    std::optional<Catalog> catalog_;
    PosixFileSystem fs_;
};

TEST_F(ReplicationTest, TheRecordingAndItsRecordAreStoredUnderTheCradlesKeysAndLocked) {
    const std::int64_t now = unix_now();
    const auto item = archived(now - 7200, now - 3600);
    Replication replication(remote_, *client_, fs_, archive_root());
    const auto stored = replication.replicate(item, {});
    const std::string key = "cradles/station-1.cradle-2/archive/2026/12/07/000001/00000001.mp4";
    EXPECT_EQ(stored.object_key, key);
    EXPECT_FALSE(stored.version_id.empty());
    EXPECT_EQ(client_->head_object(key)->metadata.at("sha256"), item.recording.sha256_hex);
    EXPECT_EQ(client_->head_object(key + ".record")->metadata.at("sha256"), item.record_sha256_hex);
    // Archived after it was captured: a year from its archival.
    const auto until = utc_iso8601(now - 3600 + 365 * 86'400);
    EXPECT_EQ(retain_until(key), until);
    EXPECT_EQ(retain_until(key + ".record"), until);
}

TEST_F(ReplicationTest, ACameraClockInThePastStillLocksAYearFromArchival) {
    const std::int64_t now = unix_now();
    const auto item = archived(/*captured: the camera said 1970*/ 0, now);
    Replication replication(remote_, *client_, fs_, archive_root());
    const auto stored = replication.replicate(item, {});
    EXPECT_EQ(retain_until(stored.object_key), utc_iso8601(now + 365 * 86'400));
}

TEST_F(ReplicationTest, AJournalSegmentIsItsLinesLockedAndNotSentTwice) {
    const std::int64_t now = unix_now();
    for (int i = 0; i < 3; ++i) catalog_->audit({"test.entry", 0, "", 0, std::to_string(i)}, now);
    const auto rows = catalog_->audit_rows();
    Replication replication(remote_, *client_, fs_, archive_root());
    const auto first = replication.replicate_journal(rows, now);
    EXPECT_EQ(first.object_key,
              "cradles/station-1.cradle-2/audit/000000000001-000000000003.journal");
    std::string body;
    client_->get_object(first.object_key, {}, [&](std::span<const std::byte> chunk) {
        body.append(reinterpret_cast<const char*>(chunk.data()), chunk.size());
    });
    std::string expected;
    for (const auto& row : rows) expected += format_journal_line(row);
    EXPECT_EQ(body, expected);
    EXPECT_EQ(retain_until(first.object_key), utc_iso8601(now + 365 * 86'400));

    const auto again = replication.replicate_journal(rows, now + 5);
    EXPECT_TRUE(again.already_stored);
    EXPECT_EQ(again.version_id, first.version_id);
}

// The remote audit reads back the version it confirmed: all as archived, until someone writes
// another version under the key (the store keeps the locked one, and the audit says so).
TEST_F(ReplicationTest, TheRemoteAuditFindsTheConfirmedVersionAndNamesAnOverwrite) {
    const std::int64_t now = unix_now();
    const auto item = archived(now - 60, now);
    Replication replication(remote_, *client_, fs_, archive_root());
    const auto stored = replication.replicate(item, {});
    catalog_->mark_replicated(item.recording.id, stored.object_key, stored.version_id, now,
                              {"recording.replicated", 0, "", item.recording.id, ""});
    const auto sample = catalog_->replicated_sample(10);
    ASSERT_EQ(sample.size(), 1u);
    EXPECT_EQ(sample[0].progress.version_id, stored.version_id);
    EXPECT_TRUE(replication.audit(sample).empty());

    const std::string other = "not the footage";
    client_->put_object(stored.object_key, std::as_bytes(std::span(other)), Sha256::hex_of(other),
                        {});
    const auto problems = replication.audit(sample);
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_NE(problems[0].find("it was overwritten in the store"), std::string::npos)
        << problems[0];
    // The confirmed version itself is intact, and locked.
    std::string kept;
    client_->get_object(stored.object_key, stored.version_id, [&](std::span<const std::byte> c) {
        kept.append(reinterpret_cast<const char*>(c.data()), c.size());
    });
    EXPECT_EQ(Sha256::hex_of(kept), item.recording.sha256_hex);
    EXPECT_THROW(client_->delete_object(stored.object_key, stored.version_id), remote::S3Error);
}

}  // namespace
}  // namespace cradle
