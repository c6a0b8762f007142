// SPDX-License-Identifier: Apache-2.0
// The central archive's backlog in the catalog (schema 6): every archived recording is in it
// until it is confirmed in the store, attempts and uploads in progress survive a reopening, and
// the confirmation is audited.
#include "common/sha256.hpp"
#include "core/catalog/catalog.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>
#include <vector>

namespace cradle {
namespace {

constexpr std::int64_t kNow = 1714557600;  // 2024-05-01T10:00:00Z

class CatalogReplication : public ::testing::Test {
  protected:
    std::filesystem::path file() const { return dir_.path() / "catalog.sqlite"; }

    // A recording of device SN-1, archived at `archived_at` (and wiped when asked).
    std::int64_t archived(Catalog& catalog, int n, std::int64_t archived_at, bool wiped = false) {
        const DeviceRow device = catalog.upsert_device("SN-1", "Maker", "BC-1", "1.0", kNow);
        const std::string name = "VID_" + std::to_string(n) + ".MP4";
        const auto id = catalog
                            .begin_recording(
                                {device.id, static_cast<std::uint32_t>(n), name, 1000, kNow - 3600})
                            .id;
        catalog.mark_archived(id, Sha256::hex_of(name), "2024/05/01/1/" + std::to_string(id),
                              archived_at, {"recording.archived", 1, "SN-1", id, ""});
        if (wiped) catalog.mark_wiped(id, archived_at + 1, {"recording.wiped", 1, "SN-1", id, ""});
        return id;
    }

    static std::vector<std::int64_t> ids(const std::vector<ReplicationItem>& items) {
        std::vector<std::int64_t> out;
        for (const auto& item : items) out.push_back(item.recording.id);
        return out;
    }

    test::TempDir dir_;
};

TEST_F(CatalogReplication, EveryArchivedOrWipedRecordingWaitsOldestFirstAndNoCopyingOne) {
    Catalog catalog(file());
    const auto later = archived(catalog, 1, kNow + 20);
    const auto wiped = archived(catalog, 2, kNow + 10, true);
    const DeviceRow device = *catalog.find_device("SN-1");
    catalog.begin_recording({device.id, 3, "VID_3.MP4", 1000, kNow - 3600});  // still copying

    const auto due = catalog.replication_due(kNow + 100, 10);
    EXPECT_EQ(ids(due), (std::vector<std::int64_t>{wiped, later}));
    EXPECT_EQ(due[0].progress.recording_id, 0) << "no attempt was made yet";
    EXPECT_EQ(due[0].recording.sha256_hex, Sha256::hex_of("VID_2.MP4"));
    EXPECT_EQ(ids(catalog.replication_due(kNow + 100, 1)), (std::vector<std::int64_t>{wiped}));

    const auto summary = catalog.replication_summary();
    EXPECT_EQ(summary.waiting, 2);
    EXPECT_EQ(summary.oldest_waiting_since, kNow + 10);
    EXPECT_EQ(summary.replicated, 0);
}

// A clock an hour ahead set the next attempt; put right, the cradle does not wait that hour:
// no back-off reaches past the horizon.
TEST_F(CatalogReplication, AnAttemptSetBeyondTheHorizonByAClockThatWasAheadIsDue) {
    Catalog catalog(file());
    const auto id = archived(catalog, 1, kNow);
    catalog.note_replication_failure(id, "RequestTimeTooSkewed", kNow + 3600, kNow + 3601);
    EXPECT_TRUE(catalog.replication_due(kNow, 10).empty());
    EXPECT_TRUE(catalog.replication_due(kNow, 10, kNow + 3601).empty());
    EXPECT_EQ(catalog.replication_due(kNow, 10, kNow + 640).size(), 1u);
}

TEST_F(CatalogReplication, AStartMakesEveryBackedOffRecordingDueAndTheEarliestAttemptIsKnown) {
    Catalog catalog(file());
    const auto first = archived(catalog, 1, kNow);
    const auto second = archived(catalog, 2, kNow);
    EXPECT_EQ(catalog.next_replication_attempt_at(), 0);
    catalog.note_replication_failure(first, "QuotaExceeded", kNow, kNow + 640);
    catalog.note_replication_failure(second, "QuotaExceeded", kNow, kNow + 80);
    EXPECT_EQ(catalog.next_replication_attempt_at(), kNow + 80);
    EXPECT_TRUE(catalog.replication_due(kNow + 1, 10).empty());
    catalog.reschedule_replication(kNow + 1);
    EXPECT_EQ(catalog.replication_due(kNow + 1, 10).size(), 2u);
    EXPECT_EQ(catalog.replication(first)->attempts, 1) << "the failures stay counted";
}

TEST_F(CatalogReplication, AFailedAttemptWaitsUntilItsNextTimeAndIsCountedAsFailing) {
    Catalog catalog(file());
    const auto id = archived(catalog, 1, kNow);
    catalog.note_replication_failure(id, "PUT: HTTP 503 SlowDown", kNow, kNow + 60);
    EXPECT_TRUE(catalog.replication_due(kNow + 59, 10).empty());
    const auto due = catalog.replication_due(kNow + 60, 10);
    ASSERT_EQ(due.size(), 1u);
    EXPECT_EQ(due[0].progress.attempts, 1);
    EXPECT_EQ(due[0].progress.last_error, "PUT: HTTP 503 SlowDown");

    catalog.note_replication_failure(id, "connection refused", kNow + 60, kNow + 180);
    EXPECT_EQ(catalog.replication(id)->attempts, 2);
    const auto summary = catalog.replication_summary();
    EXPECT_EQ(summary.failing, 1);
    EXPECT_EQ(summary.last_error, "connection refused");
}

TEST_F(CatalogReplication, AnUploadInProgressSurvivesAReopening) {
    std::int64_t id = 0;
    {
        Catalog catalog(file());
        id = archived(catalog, 1, kNow);
        catalog.save_replication_progress(id, "cradles/c1/archive/2024/05/01/1/1.mp4", "2~abc");
    }
    Catalog catalog(file());
    const auto due = catalog.replication_due(kNow, 10);
    ASSERT_EQ(due.size(), 1u);
    EXPECT_EQ(due[0].progress.recording_id, id);
    EXPECT_EQ(due[0].progress.object_key, "cradles/c1/archive/2024/05/01/1/1.mp4");
    EXPECT_EQ(due[0].progress.upload_id, "2~abc");
}

TEST_F(CatalogReplication, AConfirmedRecordingLeavesTheBacklogWithItsAuditEntry) {
    Catalog catalog(file());
    const auto first = archived(catalog, 1, kNow);
    const auto second = archived(catalog, 2, kNow + 1);
    catalog.save_replication_progress(first, "k/1", "upload-1");
    catalog.note_replication_failure(first, "timeout", kNow, kNow);
    catalog.mark_replicated(first, "k/1", "v-1", kNow + 5,
                            {"", 0, "SN-1", 0, "key=k/1; version=v-1"});

    EXPECT_EQ(ids(catalog.replication_due(kNow + 100, 10)), (std::vector<std::int64_t>{second}));
    const auto row = catalog.replication(first);
    ASSERT_TRUE(row.has_value());
    EXPECT_EQ(row->replicated_at, kNow + 5);
    EXPECT_EQ(row->version_id, "v-1");
    EXPECT_EQ(row->upload_id, "") << "the finished upload is not resumed";
    EXPECT_EQ(row->last_error, "");
    EXPECT_EQ(catalog.not_replicated({first, second, 999}),
              (std::vector<std::int64_t>{second, 999}));

    const auto audit = catalog.audit_rows();
    ASSERT_FALSE(audit.empty());
    EXPECT_EQ(audit.back().event, "recording.replicated");
    EXPECT_EQ(audit.back().recording_id, first);
    EXPECT_EQ(audit.back().detail, "key=k/1; version=v-1");

    const auto summary = catalog.replication_summary();
    EXPECT_EQ(summary.waiting, 1);
    EXPECT_EQ(summary.replicated, 1);
    EXPECT_EQ(summary.last_replicated_at, kNow + 5);
    EXPECT_EQ(summary.failing, 0);
}

TEST_F(CatalogReplication, OnlyAnArchivedRecordingCanBeConfirmedAndOnlyOnce) {
    Catalog catalog(file());
    const auto id = archived(catalog, 1, kNow);
    const DeviceRow device = *catalog.find_device("SN-1");
    const auto copying = catalog.begin_recording({device.id, 9, "VID_9.MP4", 1000, kNow}).id;
    const auto audit_before = catalog.audit_rows().size();
    EXPECT_THROW(catalog.mark_replicated(copying, "k", "v", kNow, {}), CatalogError);
    EXPECT_THROW(catalog.mark_replicated(12345, "k", "v", kNow, {}), CatalogError);
    EXPECT_THROW(catalog.save_replication_progress(copying, "k", ""), CatalogError);
    EXPECT_THROW(catalog.note_replication_failure(copying, "x", kNow, kNow), CatalogError);
    EXPECT_EQ(catalog.audit_rows().size(), audit_before) << "a refusal writes nothing";

    catalog.mark_replicated(id, "k", "v", kNow, {});
    EXPECT_THROW(catalog.mark_replicated(id, "k", "v2", kNow + 1, {}), CatalogError);
    EXPECT_EQ(catalog.replication(id)->version_id, "v");
    // Progress and failures reported late (a second worker, a retry racing a success) do not
    // put a confirmed recording back in the backlog.
    catalog.save_replication_progress(id, "k", "late-upload");
    catalog.note_replication_failure(id, "late failure", kNow + 10, kNow + 10);
    EXPECT_TRUE(catalog.replication_due(kNow + 100, 10).empty());
    EXPECT_EQ(catalog.replication(id)->upload_id, "");
}

TEST_F(CatalogReplication, KeysAndIdsThatAreNotPrintableAreRefused) {
    Catalog catalog(file());
    const auto id = archived(catalog, 1, kNow);
    EXPECT_THROW(catalog.save_replication_progress(id, "", ""), CatalogError);
    EXPECT_THROW(catalog.save_replication_progress(id, "a b", ""), CatalogError);
    EXPECT_THROW(catalog.save_replication_progress(id, "k", "u\n"), CatalogError);
    EXPECT_THROW(catalog.mark_replicated(id, "k", std::string(2000, 'v'), kNow, {}), CatalogError);
    EXPECT_FALSE(catalog.replication(id).has_value());
}

TEST_F(CatalogReplication, AnErrorTextIsSanitisedAndBounded) {
    Catalog catalog(file());
    const auto id = archived(catalog, 1, kNow);
    catalog.note_replication_failure(id, "bad\x01\nanswer" + std::string(5000, 'x'), kNow, kNow);
    const auto error = catalog.replication(id)->last_error;
    EXPECT_LE(error.size(), 512u);
    EXPECT_EQ(error.find('\n'), std::string::npos);
    EXPECT_EQ(error.find('\x01'), std::string::npos);
}

TEST_F(CatalogReplication, AVersion5CatalogMigratesWithEveryArchivedRecordingInTheBacklog) {
    std::int64_t id = 0;
    {
        Catalog catalog(file());
        id = archived(catalog, 1, kNow, true);
    }
    // What a catalog of version 5 looks like: no backlog tables.
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(file().c_str(), &raw), SQLITE_OK);
    const int rc = sqlite3_exec(raw,
                                "DROP TABLE confidential_marks; DROP INDEX audit_key_entries; "
                                "ALTER TABLE audit DROP COLUMN key_id; "
                                "ALTER TABLE audit DROP COLUMN signature; "
                                "DROP TABLE replication; DROP TABLE replication_journal; "
                                "DROP INDEX recordings_by_state_archived; "
                                "UPDATE schema_version SET version = 5",
                                nullptr, nullptr, nullptr);
    sqlite3_close(raw);
    ASSERT_EQ(rc, SQLITE_OK);

    Catalog catalog(file());
    EXPECT_EQ(catalog.schema_version(), Catalog::kSchemaVersion);
    EXPECT_EQ(ids(catalog.replication_due(kNow, 10)), (std::vector<std::int64_t>{id}))
        << "a recording archived (and wiped) before the central archive existed is offered";
    EXPECT_EQ(catalog.journal_replicated_through(), 0);
}

TEST_F(CatalogReplication, JournalSegmentsFollowEachOtherWithoutAGapOrAnOverlap) {
    Catalog catalog(file());
    for (int i = 0; i < 11; ++i) catalog.audit({"test.entry", 0, "", 0, std::to_string(i)}, kNow);
    EXPECT_EQ(catalog.journal_replicated_through(), 0);
    EXPECT_THROW(catalog.mark_journal_replicated(1, 12, "k", "v", kNow), CatalogError)
        << "the audit log has no entry 12";
    catalog.mark_journal_replicated(1, 10, "cradles/c1/audit/1-10", "v1", kNow);
    EXPECT_EQ(catalog.journal_replicated_through(), 10);
    EXPECT_THROW(catalog.mark_journal_replicated(12, 20, "k", "v", kNow), CatalogError);
    EXPECT_THROW(catalog.mark_journal_replicated(10, 20, "k", "v", kNow), CatalogError);
    EXPECT_THROW(catalog.mark_journal_replicated(11, 10, "k", "v", kNow), CatalogError);
    catalog.mark_journal_replicated(11, 11, "cradles/c1/audit/11-11", "v2", kNow);
    EXPECT_EQ(catalog.journal_replicated_through(), 11);
}

}  // namespace
}  // namespace cradle
