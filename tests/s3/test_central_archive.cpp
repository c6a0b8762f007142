// SPDX-License-Identifier: Apache-2.0
// The service with a central archive, on the emulated cradle, against a real Ceph RADOS
// Gateway: every archived recording reaches the bucket and is confirmed there, and with
// wipe_after = "remote" no camera is wiped before the store has confirmed each of its
// recordings. Each scenario ends in the invariant checker and in the store's own answer: the
// object's bytes read back and hashed.
#include "common/ed25519.hpp"
#include "common/sha256.hpp"
#include "core/archive/archive_record.hpp"
#include "core/catalog/catalog.hpp"
#include "engine/replication_runner.hpp"
#include "sim/sim_camera.hpp"
#include "tests/faults/rig.hpp"
#include "tests/s3/s3_store.hpp"
#include "tests/support/shell_command.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace cradle::test {
namespace {

// Points the rig's service at `bucket` as cradle `cradle_id`, with its keys in an owner-only
// file (as IT installs them).
void use_central_archive(Rig& rig, const S3Store& store, const std::string& bucket,
                         const std::string& cradle_id, WipeAfter wipe_after) {
    const auto keys = rig.root / "remote-credentials";
    {
        std::ofstream out(keys);
        out << "access_key = \"" << store.credentials.access_key << "\"\nsecret_key = \""
            << store.credentials.secret_key << "\"\n";
    }
    ::chmod(keys.c_str(), 0600);
    RemoteConfig remote;
    remote.endpoint = store.endpoint;
    remote.bucket = bucket;
    remote.region = store.region;
    remote.cradle_id = cradle_id;
    remote.credentials_file = keys;
    remote.wipe_after = wipe_after;
    remote.retry_seconds = 1;
    rig.config.remote = remote;
}

std::int64_t audit_seq(const std::vector<AuditRow>& rows, const std::string& event,
                       std::int64_t recording_id) {
    for (const auto& row : rows) {
        if (row.event == event && row.recording_id == recording_id) return row.seq;
    }
    return 0;
}

// What the bucket holds of the rig's archive, judged by the store's answers: each archived
// recording is replicated in the catalog, its object (and its record) is in the bucket under
// the cradle's key, and the object's bytes hash to the catalog's SHA-256. One line per problem.
std::vector<std::string> remote_copy_problems(const Rig& rig, remote::S3Client& client,
                                              const std::string& cradle_id) {
    std::vector<std::string> problems;
    Catalog catalog = Catalog::open_read_only(rig.state / "catalog.sqlite");
    for (const auto& row : catalog.recordings()) {
        if (row.state == RecordingState::copying) continue;
        const std::string id = "recording " + std::to_string(row.id);
        const auto replication = catalog.replication(row.id);
        if (!replication || replication->replicated_at == 0) {
            problems.push_back(id + " is not confirmed in the central archive");
            continue;
        }
        const std::string key = "cradles/" + cradle_id + "/archive/" + row.archive_path;
        if (replication->object_key != key) problems.push_back(id + " names key " + key);
        Sha256 sha;
        std::uint64_t bytes = 0;
        client.get_object(key, replication->version_id, [&](std::span<const std::byte> chunk) {
            sha.update(chunk);
            bytes += chunk.size();
        });
        if (sha.hex_digest() != row.sha256_hex) {
            problems.push_back(id + ": the store's bytes (" + std::to_string(bytes) +
                               ") do not hash to the archive's SHA-256");
        }
        if (!client.head_object(key + ".record")) problems.push_back(id + " has no record");
    }
    return problems;
}

// cradlectl's configuration for reading `bucket` (a [remote] section and its keys).
std::filesystem::path reader_config(const std::filesystem::path& dir, const S3Store& store,
                                    const std::string& bucket) {
    const auto keys = dir / "reader-credentials";
    std::ofstream(keys) << "access_key = \"" << store.credentials.access_key
                        << "\"\nsecret_key = \"" << store.credentials.secret_key << "\"\n";
    ::chmod(keys.c_str(), 0600);
    const auto config = dir / "reader.toml";
    std::ofstream(config) << "[remote]\nendpoint = \"" << store.endpoint << "\"\nbucket = \""
                          << bucket << "\"\nregion = \"" << store.region
                          << "\"\ncradle_id = \"county-office\"\ncredentials = \"" << keys.string()
                          << "\"\n";
    return config;
}

ShellResult cradlectl_remote(const std::string& arguments) {
    ::setenv("CRADLED_BIN_DIR", CRADLED_BUILT_PROGRAMS, 0);
    return run_shell(built_program("cradlectl") + " remote " + arguments + " 2>&1");
}

// radosgw-admin on the fixture's store (the county's administrator at work).
bool radosgw_admin(const std::string& arguments) {
    const char* dir = std::getenv("CRADLED_S3_STORE");
    if (dir == nullptr) return false;
    return run_shell("radosgw-admin --conf " + std::string(dir) + "/ceph.conf " + arguments +
                     " 2>&1")
               .exit_status == 0;
}

class CentralArchive : public ::testing::Test {
  protected:
    void SetUp() override {
        store_ = s3_store();
        bucket_ = fresh_bucket_name();
        client_.emplace(s3_options(store_, bucket_), store_.credentials);
        client_->create_bucket(true);
    }

    S3Store store_;
    std::string bucket_;
    std::optional<remote::S3Client> client_;
};

// wipe_after = "remote": each wipe is preceded by the recording's confirmation in the store,
// in the audit chain's own order.
TEST_F(CentralArchive, ACameraIsWipedOnlyAfterEachRecordingIsConfirmedInTheStore) {
    Rig rig(2, 3);
    use_central_archive(rig, store_, bucket_, "station-1.cradle-1", WipeAfter::remote);
    const auto reports = rig.run();
    ASSERT_EQ(reports.size(), 2u);
    for (const auto& report : reports) {
        EXPECT_EQ(report.wiped, 3u) << report.outcome;
        EXPECT_EQ(report.light, hw::BayLight::ready) << report.outcome;
    }
    EXPECT_EQ(join_problems(rig.invariant_problems()), "");
    EXPECT_EQ(join_problems(remote_copy_problems(rig, *client_, "station-1.cradle-1")), "");

    Catalog catalog = Catalog::open_read_only(rig.state / "catalog.sqlite");
    const auto audit = catalog.audit_rows();
    const auto wiped = catalog.recordings_in_state(RecordingState::wiped);
    ASSERT_EQ(wiped.size(), 6u);
    for (const auto& row : wiped) {
        const auto replicated = audit_seq(audit, "recording.replicated", row.id);
        const auto deleted = audit_seq(audit, "recording.wiped", row.id);
        ASSERT_NE(replicated, 0) << "recording " << row.id;
        EXPECT_LT(replicated, deleted) << "recording " << row.id << " wiped before confirmed";
    }
    const bool waited =
        std::any_of(rig.log_lines().begin(), rig.log_lines().end(), [](const std::string& line) {
            return line.find("wait for the central archive") != std::string::npos;
        });
    EXPECT_TRUE(waited);
}

// The audit log's anchors go to the bucket as locked objects; read back with cradlectl remote
// anchors, they vouch for the cradle's log (cradlectl verify --anchor).
TEST_F(CentralArchive, AnchorsOfTheAuditLogAreLockedInTheBucketAndVouchForTheLog) {
    Rig rig(1, 2);
    use_central_archive(rig, store_, bucket_, "cradle-a", WipeAfter::remote);
    ASSERT_EQ(rig.run().size(), 1u);
    const auto objects = client_->list_objects("cradles/cradle-a/anchors/");
    ASSERT_FALSE(objects.empty());
    const auto head = client_->head_object(objects.front().key);
    ASSERT_TRUE(head);
    const auto retention = client_->get_retention(objects.front().key, head->version_id);
    ASSERT_TRUE(retention);
    EXPECT_EQ(retention->mode, remote::LockMode::compliance);
    EXPECT_THROW(client_->delete_object(objects.front().key, head->version_id), remote::S3Error);

    const auto config = reader_config(rig.state.parent_path(), store_, bucket_);
    const auto anchors = cradlectl_remote("anchors --cradle cradle-a --config " + config.string());
    ASSERT_EQ(anchors.exit_status, 0) << anchors.output;
    EXPECT_NE(anchors.output.find("cradled-anchor v1 seq="), std::string::npos) << anchors.output;
    const auto file = rig.state.parent_path() / "anchors.txt";
    std::ofstream(file) << anchors.output;
    const auto verified =
        run_shell(built_program("cradlectl") + " --state-dir " + rig.state.string() +
                  " verify --anchor " + file.string() + " 2>&1");
    EXPECT_EQ(verified.exit_status, 0) << verified.output;
    EXPECT_NE(verified.output.find("nothing removed or changed up to entry"), std::string::npos)
        << verified.output;
}

// Three cradles replicate into one bucket at once, each under its own folder, and a locked
// object of one of them cannot be deleted.
TEST_F(CentralArchive, ThreeCradlesShareOneBucketEachUnderItsOwnName) {
    std::vector<std::unique_ptr<Rig>> rigs;
    for (int i = 0; i < 3; ++i) {
        rigs.push_back(std::make_unique<Rig>(1, 2));
        // Cameras of their own: other serials and bytes in each cradle.
        rigs.back()->camera(0).serial = "BC-" + std::to_string(100 + i);
        rigs.back()->camera(0).seed = 1000 + static_cast<std::uint64_t>(i);
        use_central_archive(*rigs.back(), store_, bucket_, "cradle-" + std::to_string(i + 1),
                            WipeAfter::remote);
        rigs.back()->provision();
    }
    std::vector<std::thread> cradles;
    std::vector<std::vector<DockReport>> reports(3);
    for (int i = 0; i < 3; ++i) {
        cradles.emplace_back([&, i] { reports[i] = rigs[i]->run(); });
    }
    for (auto& cradle : cradles) cradle.join();
    std::set<std::string> keys;
    for (const auto& object : client_->list_objects("cradles/")) keys.insert(object.key);
    for (int i = 0; i < 3; ++i) {
        const std::string id = "cradle-" + std::to_string(i + 1);
        ASSERT_EQ(reports[i].size(), 1u) << id;
        EXPECT_EQ(reports[i][0].wiped, 2u) << id << ": " << reports[i][0].outcome;
        EXPECT_EQ(join_problems(rigs[i]->invariant_problems()), "") << id;
        EXPECT_EQ(join_problems(remote_copy_problems(*rigs[i], *client_, id)), "") << id;
        const auto mine = std::count_if(keys.begin(), keys.end(), [&](const std::string& key) {
            return key.starts_with("cradles/" + id + "/archive/");
        });
        EXPECT_EQ(mine, 4) << id << ": two recordings and their records";
    }
    // The county's view, from the bucket alone.
    const auto config = reader_config(rigs[0]->root, store_, bucket_);
    const auto verified = cradlectl_remote("verify --config " + config.string());
    EXPECT_EQ(verified.exit_status, 0) << verified.output;
    EXPECT_NE(verified.output.find("6 recording(s) read back and re-hashed against their "
                                   "records, 0 problem(s)"),
              std::string::npos)
        << verified.output;
    const auto listed = cradlectl_remote("recordings --cradle cradle-2 --config " +
                                         config.string() + " --serial BC-101");
    EXPECT_EQ(listed.exit_status, 0) << listed.output;
    EXPECT_NE(listed.output.find("2 recording(s)"), std::string::npos) << listed.output;
    EXPECT_EQ(listed.output.find("cradle-1"), std::string::npos) << listed.output;
    const auto none = cradlectl_remote("recordings --cradle cradle-2 --config " + config.string() +
                                       " --serial BC-100");
    EXPECT_NE(none.output.find("0 recording(s)"), std::string::npos) << none.output;

    // Write once: the store refuses to delete a recording's locked version.
    const auto first = client_->head_object(*std::find_if(
        keys.begin(), keys.end(), [](const std::string& key) { return key.ends_with(".mp4"); }));
    ASSERT_TRUE(first.has_value());
    EXPECT_THROW(client_->delete_object(first->key, first->version_id), remote::S3Error);
    EXPECT_TRUE(client_->head_object(first->key).has_value());
}

// cradlectl remote verify judges the bucket by the records: an object whose bytes differ from
// its record's (a bucket without Object Lock, where that can be made) is named, exit status 1.
TEST_F(CentralArchive, VerifyNamesAnObjectThatDiffersFromItsRecord) {
    const std::string bucket = fresh_bucket_name();
    remote::S3Client client(s3_options(store_, bucket), store_.credentials);
    client.create_bucket(false);
    const std::string footage = "the footage as archived";
    ArchiveRecord record;
    record.recording_id = 7;
    record.device_id = 1;
    record.identity.device_serial = "BC-7";
    record.captured_unix_s = 1'700'000'000;
    record.size = footage.size();
    record.archived_at = 1'700'000'100;
    record.archive_path = "2023/11/14/000001/00000007.mp4";
    record.raw_name = "VID_7.MP4";
    record.sha256_hex = Sha256::hex_of(footage);
    const std::string text = format_record(record);
    const std::string key = "cradles/c7/archive/" + record.archive_path;
    client.put_object(key + ".record", std::as_bytes(std::span(text)), Sha256::hex_of(text), {});
    std::string changed = footage;
    changed[4] ^= 1;
    client.put_object(key, std::as_bytes(std::span(changed)), Sha256::hex_of(changed), {});

    const test::TempDir dir;
    const auto config = reader_config(dir.path(), store_, bucket);
    const auto verified = cradlectl_remote("verify --config " + config.string());
    EXPECT_EQ(verified.exit_status, 1) << verified.output;
    EXPECT_NE(verified.output.find("PROBLEM " + key + ": the stored bytes hash to"),
              std::string::npos)
        << verified.output;
    const auto listed = cradlectl_remote("recordings --json --config " + config.string());
    EXPECT_EQ(listed.exit_status, 0) << listed.output;
    EXPECT_NE(listed.output.find("\"serial\":\"BC-7\""), std::string::npos) << listed.output;
}

// With the cradle's public keys, cradlectl remote verify also checks each record's signature:
// a record changed after it was signed, or never signed, is named, whatever its bytes.
TEST_F(CentralArchive, VerifyWithThePublicKeysNamesARecordChangedOrUnsigned) {
    const std::string bucket = fresh_bucket_name();
    remote::S3Client client(s3_options(store_, bucket), store_.credentials);
    client.create_bucket(false);
    const SigningKey key = SigningKey::generate();
    const std::string footage = "the footage as archived";
    auto put = [&](const std::string& serial, std::int64_t id, const std::string& text_of) {
        ArchiveRecord record;
        record.recording_id = id;
        record.device_id = 1;
        record.identity.device_serial = serial;
        record.captured_unix_s = 1'700'000'000 + id;
        record.size = footage.size();
        record.archived_at = 1'700'000'100;
        record.archive_path = "2023/11/14/000001/0000000" + std::to_string(id) + ".mp4";
        record.raw_name = "VID_" + std::to_string(id) + ".MP4";
        record.sha256_hex = Sha256::hex_of(footage);
        std::string text =
            text_of == "unsigned" ? format_record(record) : format_record(record, &key);
        // Changed after it was signed: another camera's serial of the same length.
        if (text_of == "changed") text.replace(text.find(serial), serial.size(), "BC-9");
        const std::string object = "cradles/c8/archive/" + record.archive_path;
        client.put_object(object + ".record", std::as_bytes(std::span(text)), Sha256::hex_of(text),
                          {});
        client.put_object(object, std::as_bytes(std::span(footage)), Sha256::hex_of(footage), {});
        return object;
    };
    put("BC-1", 1, "signed");
    const std::string changed = put("BC-2", 2, "changed");
    const std::string unsigned_record = put("BC-3", 3, "unsigned");

    const test::TempDir dir;
    const auto config = reader_config(dir.path(), store_, bucket);
    const std::filesystem::path keys = dir.path() / "keys.pem";
    std::ofstream(keys) << SigningKey::generate().public_key().pem() << key.public_key().pem();
    // Without keys the bytes are all as their records say.
    EXPECT_EQ(cradlectl_remote("verify --config " + config.string()).exit_status, 0);
    const auto verified =
        cradlectl_remote("verify --config " + config.string() + " --public-key " + keys.string());
    EXPECT_EQ(verified.exit_status, 1) << verified.output;
    EXPECT_NE(verified.output.find("PROBLEM " + changed + ": its record's signature (key " +
                                   key.public_key().key_id() + ") does not verify"),
              std::string::npos)
        << verified.output;
    EXPECT_NE(verified.output.find("PROBLEM " + unsigned_record + ": its record is not signed"),
              std::string::npos)
        << verified.output;
    EXPECT_NE(verified.output.find("3 recording(s) read back and re-hashed against their records, "
                                   "their records' signatures checked with 2 key(s), 2 "
                                   "problem(s)"),
              std::string::npos)
        << verified.output;
    std::ofstream(keys) << "not a key\n";
    const auto no_key =
        cradlectl_remote("verify --config " + config.string() + " --public-key " + keys.string());
    EXPECT_NE(no_key.exit_status, 0);
    EXPECT_NE(no_key.output.find("holds no PEM public key"), std::string::npos) << no_key.output;
}

// The cradle's own remote audit: once the backlog is empty, a sample of its confirmed
// recordings is read back from the store, and the outcome is in the audit log.
TEST_F(CentralArchive, TheCradleAuditsItsOwnObjectsInTheStore) {
    Rig rig(1, 3);
    use_central_archive(rig, store_, bucket_, "cradle-a", WipeAfter::local);
    rig.config.remote->audit_sample = 2;
    rig.run_until_logged([](const std::vector<std::string>& lines) {
        return lines.back().find("remote audit") != std::string::npos;
    });
    EXPECT_FALSE(rig.timed_out());
    Catalog catalog = Catalog::open_read_only(rig.state / "catalog.sqlite");
    const auto audit = catalog.audit_rows();
    const auto found = std::find_if(audit.begin(), audit.end(), [](const AuditRow& row) {
        return row.event.starts_with("remote.audit");
    });
    ASSERT_NE(found, audit.end());
    EXPECT_EQ(found->event, "remote.audited") << found->detail;
    EXPECT_NE(found->detail.find("2 recording(s) read back"), std::string::npos) << found->detail;
    EXPECT_NE(found->detail.find("all as archived"), std::string::npos) << found->detail;

    // What IT sees on the cradle.
    const auto config = reader_config(rig.root, store_, bucket_);
    const auto status = cradlectl_remote("status --json --config " + config.string() +
                                         " --state-dir " + rig.state.string());
    EXPECT_EQ(status.exit_status, 0) << status.output;
    for (const char* field : {"\"waiting\":0,", "\"replicated\":3,", "\"failing\":0,",
                              "\"last_remote_audit_failed\":false"}) {
        EXPECT_NE(status.output.find(field), std::string::npos) << field << "\n" << status.output;
    }
}

// A bucket over its quota (set by the store's administrator): the store refuses, the cradle
// says so once and wipes nothing that waits for it; with room made, everything follows.
TEST_F(CentralArchive, ABucketOverItsQuotaWipesNothingUntilThereIsRoom) {
    ASSERT_TRUE(
        radosgw_admin("quota set --quota-scope=bucket --bucket=" + bucket_ + " --max-objects=2"));
    ASSERT_TRUE(radosgw_admin("quota enable --quota-scope=bucket --bucket=" + bucket_));
    Rig rig(1, 3);
    use_central_archive(rig, store_, bucket_, "cradle-q", WipeAfter::remote);
    rig.run_until_logged([](const std::vector<std::string>& lines) {
        return lines_with(lines, "over its quota (QuotaExceeded)") > 0 &&
               lines_with(lines, "wait for the central archive") > 0;
    });
    EXPECT_FALSE(rig.timed_out());
    EXPECT_EQ(join_problems(rig.loss_problems()), "");
    {
        Catalog catalog = Catalog::open_read_only(rig.state / "catalog.sqlite");
        EXPECT_TRUE(catalog.recordings_in_state(RecordingState::wiped).empty());
        EXPECT_LE(catalog.replication_summary().replicated, 1);
    }
    EXPECT_EQ(
        hw::sim::stored_recordings(hw::sim::camera_dir(rig.spec.storage_dir, rig.camera(0))).size(),
        3u);

    ASSERT_TRUE(
        radosgw_admin("quota set --quota-scope=bucket --bucket=" + bucket_ + " --max-objects=100"));
    const auto reports = rig.run();
    ASSERT_EQ(reports.size(), 1u);
    EXPECT_EQ(reports[0].wiped, 3u) << reports[0].outcome;
    EXPECT_EQ(join_problems(rig.invariant_problems()), "");
    EXPECT_EQ(join_problems(remote_copy_problems(rig, *client_, "cradle-q")), "");
}

// Wrong keys: nothing is stored, one clear error says why, and no camera waiting for the
// central archive is wiped.
TEST_F(CentralArchive, RefusedCredentialsWipeNothingAndSayWhy) {
    Rig rig(1, 2);
    S3Store wrong = store_;
    wrong.credentials.secret_key = "not-the-secret";
    use_central_archive(rig, wrong, bucket_, "cradle-x", WipeAfter::remote);
    // Until the bay waits at the wipe and the refusal is said.
    rig.run_until_logged([](const std::vector<std::string>& lines) {
        return lines_with(lines, "refuses the cradle's credentials") > 0 &&
               lines_with(lines, "wait for the central archive") > 0;
    });
    EXPECT_FALSE(rig.timed_out());
    EXPECT_EQ(join_problems(rig.loss_problems()), "");
    const auto& camera = rig.camera(0);
    EXPECT_EQ(hw::sim::stored_recordings(hw::sim::camera_dir(rig.spec.storage_dir, camera)).size(),
              2u);
    Catalog catalog = Catalog::open_read_only(rig.state / "catalog.sqlite");
    EXPECT_TRUE(catalog.recordings_in_state(RecordingState::wiped).empty());
    EXPECT_EQ(catalog.replication_summary().replicated, 0);
    for (const auto& line : rig.log_lines()) {
        EXPECT_EQ(line.find(store_.credentials.secret_key), std::string::npos) << line;
    }
}

}  // namespace
}  // namespace cradle::test
