// SPDX-License-Identifier: Apache-2.0
// wipe_after = "remote" with the central archive's gateway stopped (the real radosgw process,
// so this test runs alone): the camera is archived locally and kept whole, the bay waits for
// the central archive, and nothing is lost. Once the gateway is back, the next start
// replicates the backlog the catalog kept and wipes the camera.
#include "core/catalog/catalog.hpp"
#include "sim/sim_camera.hpp"
#include "tests/faults/rig.hpp"
#include "tests/s3/s3_store.hpp"

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

bool logged(const std::vector<std::string>& lines, const std::string& text) {
    return std::any_of(lines.begin(), lines.end(), [&](const std::string& line) {
        return line.find(text) != std::string::npos;
    });
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
            return logged(lines, "cannot be reached") &&
                   std::count_if(lines.begin(), lines.end(), [](const std::string& line) {
                       return line.find("wait for the central archive") != std::string::npos;
                   }) == 2;
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

}  // namespace
}  // namespace cradle::test
