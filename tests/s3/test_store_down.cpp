// SPDX-License-Identifier: Apache-2.0
// The central archive's gateway stopped: the real radosgw process, so these tests run alone.
// With wipe_after = "remote" the camera is archived locally and kept whole, the bay waits for
// the central archive, and nothing is lost; once the gateway is back, the next start
// replicates the backlog the catalog kept and wipes the camera. A multipart upload cut by the
// gateway's death resumes from the parts the store kept.
#include "common/fs.hpp"
#include "common/sha256.hpp"
#include "core/catalog/catalog.hpp"
#include "core/remote/uploader.hpp"
#include "sim/sim_camera.hpp"
#include "tests/faults/rig.hpp"
#include "tests/s3/s3_store.hpp"
#include "tests/support/faulty_fs.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <string>

namespace cradle::test {
namespace {

// Runs tests/s3/ceph-store COMMAND on the fixture's store; true when it succeeded.
bool ceph_store(const std::string& command) {
    const char* dir = std::getenv("CRADLED_S3_STORE");
    if (dir == nullptr) return false;
    return std::system((std::string(CRADLED_CEPH_STORE) + " " + command + " " + dir).c_str()) == 0;
}

// Starts the gateway again whatever the test's outcome: the other s3 tests need it.
struct GatewayBack {
    ~GatewayBack() { ceph_store("rgw-start"); }
};

TEST(CentralArchiveDown, NothingIsWipedWhileTheStoreIsDownAndAllOnceItIsBack) {
    const S3Store store = s3_store();
    const std::string bucket = fresh_bucket_name();
    remote::S3Client client(s3_options(store, bucket), store.credentials);
    client.create_bucket(true);

    Rig rig(2, 3);
    const auto keys = rig.root / "remote-credentials";
    std::ofstream(keys) << "access_key = \"" << store.credentials.access_key
                        << "\"\nsecret_key = \"" << store.credentials.secret_key << "\"\n";
    ::chmod(keys.c_str(), 0600);
    RemoteConfig remote;
    remote.endpoint = store.endpoint;
    remote.bucket = bucket;
    remote.region = store.region;
    remote.cradle_id = "cradle-down";
    remote.credentials_file = keys;
    remote.wipe_after = WipeAfter::remote;
    remote.retry_seconds = 1;
    rig.config.remote = remote;

    GatewayBack restart;
    ASSERT_TRUE(ceph_store("rgw-stop"));
    // Down: both bays archive and wait; the store's failure is said once.
    rig.run_until_logged(
        [](const std::vector<std::string>& lines) {
            return lines_with(lines, "cannot be reached") > 0 &&
                   lines_with(lines, "wait for the central archive") == 2;
        },
        std::chrono::seconds(60));
    EXPECT_FALSE(rig.timed_out());
    EXPECT_EQ(join_problems(rig.loss_problems()), "");
    for (int i = 0; i < 2; ++i) {
        const auto& camera = rig.camera(i);
        EXPECT_EQ(
            hw::sim::stored_recordings(hw::sim::camera_dir(rig.spec.storage_dir, camera)).size(),
            3u)
            << camera.serial << " was wiped while the central archive was down";
    }
    {
        Catalog catalog = Catalog::open_read_only(rig.state / "catalog.sqlite");
        EXPECT_EQ(catalog.recordings_in_state(RecordingState::archived).size(), 6u);
        const auto summary = catalog.replication_summary();
        EXPECT_EQ(summary.waiting, 6);
        EXPECT_EQ(summary.replicated, 0);
    }

    // Back: the next start replicates the backlog, then wipes.
    ASSERT_TRUE(ceph_store("rgw-start"));
    const auto reports = rig.run();
    ASSERT_EQ(reports.size(), 2u);
    for (const auto& report : reports) EXPECT_EQ(report.wiped, 3u) << report.outcome;
    EXPECT_EQ(join_problems(rig.invariant_problems()), "");
    Catalog catalog = Catalog::open_read_only(rig.state / "catalog.sqlite");
    EXPECT_EQ(catalog.recordings_in_state(RecordingState::wiped).size(), 6u);
    EXPECT_EQ(catalog.replication_summary().replicated, 6);
    for (const auto& row : catalog.recordings()) {
        const auto head = client.head_object("cradles/cradle-down/archive/" + row.archive_path);
        ASSERT_TRUE(head.has_value()) << row.archive_path;
        EXPECT_EQ(head->size, row.key.size);
    }
}

// The gateway killed in the middle of a multipart upload and started again: the upload resumes
// from the parts the store kept, and the object is whole.
TEST(CentralArchiveDown, AMultipartUploadCutByTheGatewaysDeathResumesWhenItIsBack) {
    const S3Store store = s3_store();
    remote::S3Client client(s3_options(store, fresh_bucket_name()), store.credentials);
    client.create_bucket(true);
    constexpr std::size_t kPart = 5u << 20;
    const TempDir dir;
    std::string data(3 * kPart + 99, '\0');
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>((i * 7919) >> 5);
    remote::UploadSource source;
    source.file = dir.path() / "recording.mp4";
    std::ofstream(source.file, std::ios::binary) << data;
    source.object_key = "cradles/c1/archive/2026/12/07/000001/00000001.mp4";
    source.size = data.size();
    source.sha256_hex = Sha256::hex_of(data);
    source.retention = {remote::LockMode::compliance, days_from_now(365)};

    GatewayBack restart;
    PosixFileSystem posix;
    {
        FaultyFileSystem faulty(posix);
        // Each part is read twice (hashed, then sent): past three reads of parts, part 2 is
        // stored and the gateway dies before part 3 is sent.
        faulty.on_read_past(4 * kPart, [] { ASSERT_TRUE(ceph_store("rgw-stop")); });
        remote::Uploader uploader(client, faulty, kPart, kPart);
        EXPECT_THROW(uploader.upload(source, [&](const std::string& id) { source.upload_id = id; }),
                     remote::S3Error);
    }
    ASSERT_FALSE(source.upload_id.empty());
    ASSERT_TRUE(ceph_store("rgw-start"));
    ASSERT_EQ(client.list_parts(source.object_key, source.upload_id).size(), 2u);
    remote::Uploader uploader(client, posix, kPart, kPart);
    const auto result = uploader.upload(source, {});
    EXPECT_EQ(result.bytes_sent, source.size - 2 * kPart) << "stored parts were sent again";
    Sha256 sha;
    client.get_object(source.object_key, result.version_id,
                      [&](std::span<const std::byte> chunk) { sha.update(chunk); });
    EXPECT_EQ(sha.hex_digest(), source.sha256_hex);
}

}  // namespace
}  // namespace cradle::test
