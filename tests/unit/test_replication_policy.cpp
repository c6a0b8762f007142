// SPDX-License-Identifier: Apache-2.0
// The replication's policy without a store: how long it waits after failures, when its window
// opens, and what a failure says to IT (and whether it is the store's as a whole).
#include "core/remote/s3_client.hpp"
#include "core/remote/uploader.hpp"
#include "engine/replication_runner.hpp"

#include <gtest/gtest.h>

#include <system_error>

namespace cradle {
namespace {

using std::chrono::seconds;

TEST(ReplicationPolicy, TheWaitDoublesWithEachFailureUpToSixtyFourTimesTheFirst) {
    EXPECT_EQ(retry_delay(0, seconds(10)), seconds(10));
    EXPECT_EQ(retry_delay(1, seconds(10)), seconds(10));
    EXPECT_EQ(retry_delay(2, seconds(10)), seconds(20));
    EXPECT_EQ(retry_delay(4, seconds(10)), seconds(80));
    EXPECT_EQ(retry_delay(7, seconds(10)), seconds(640));
    EXPECT_EQ(retry_delay(1000, seconds(10)), seconds(640));
}

TEST(ReplicationPolicy, TheWindowOpensAtItsStartAndSpansMidnight) {
    EXPECT_EQ(minutes_until_window(std::nullopt, 600), 0);
    const std::optional<std::pair<int, int>> day{{9 * 60, 17 * 60}};
    EXPECT_EQ(minutes_until_window(day, 9 * 60), 0);
    EXPECT_EQ(minutes_until_window(day, 17 * 60 - 1), 0);
    EXPECT_EQ(minutes_until_window(day, 17 * 60), 16 * 60);
    EXPECT_EQ(minutes_until_window(day, 8 * 60 + 30), 30);
    const std::optional<std::pair<int, int>> night{{22 * 60, 6 * 60}};
    EXPECT_EQ(minutes_until_window(night, 23 * 60), 0);
    EXPECT_EQ(minutes_until_window(night, 5 * 60 + 59), 0);
    EXPECT_EQ(minutes_until_window(night, 6 * 60), 16 * 60);
    EXPECT_EQ(minutes_until_window(night, 21 * 60 + 59), 1);
}

template <typename Error>
ReplicationFailure explained(const Error& error) {
    RemoteConfig remote;
    remote.endpoint = "https://archive.county.example";
    remote.bucket = "county-footage";
    return explain_replication_failure(std::make_exception_ptr(error), remote);
}

TEST(ReplicationPolicy, ASkewedClockIsNamedAsSuchAndStopsTheRound) {
    const auto failure = explained(remote::S3Error(remote::S3Error::Kind::refused, 403,
                                                   "RequestTimeTooSkewed", "PUT ...: HTTP 403"));
    EXPECT_TRUE(failure.whole_store);
    EXPECT_NE(failure.message.find("clock"), std::string::npos) << failure.message;
    EXPECT_NE(failure.message.find("15 minutes"), std::string::npos) << failure.message;
    EXPECT_NE(failure.message.find("no camera waiting for the central archive is wiped"),
              std::string::npos)
        << failure.message;
}

TEST(ReplicationPolicy, StoreWideFailuresEndTheRoundAndARecordingsOwnDoesNot) {
    using Kind = remote::S3Error::Kind;
    EXPECT_TRUE(explained(remote::S3Error(Kind::transport, 0, "", "refused")).whole_store);
    EXPECT_TRUE(explained(remote::S3Error(Kind::refused, 403, "AccessDenied", "x")).whole_store);
    EXPECT_TRUE(explained(remote::S3Error(Kind::refused, 403, "", "HEAD")).whole_store);
    EXPECT_TRUE(explained(remote::S3Error(Kind::refused, 403, "QuotaExceeded", "x")).whole_store);
    EXPECT_TRUE(explained(remote::S3Error(Kind::refused, 503, "SlowDown", "x")).whole_store);
    EXPECT_TRUE(explained(remote::S3Error(Kind::refused, 404, "NoSuchBucket", "x")).whole_store);
    EXPECT_FALSE(explained(remote::S3Error(Kind::refused, 400, "XAmzContentSHA256Mismatch", "x"))
                     .whole_store);
    EXPECT_FALSE(explained(remote::UploadConflict("another object")).whole_store);
    EXPECT_TRUE(explained(remote::UploadConflict("another object")).needs_custodian);
    EXPECT_FALSE(explained(remote::S3Error(Kind::transport, 0, "", "refused")).needs_custodian);
    EXPECT_FALSE(
        explained(std::system_error(ENOENT, std::generic_category(), "reading")).whole_store);
    const auto quota =
        explained(remote::S3Error(Kind::refused, 403, "QuotaExceeded", "PUT: HTTP 403"));
    EXPECT_NE(quota.message.find("quota"), std::string::npos) << quota.message;
    const auto down = explained(remote::S3Error(Kind::transport, 0, "", "Connection refused"));
    EXPECT_NE(down.message.find("https://archive.county.example cannot be reached"),
              std::string::npos)
        << down.message;
}

}  // namespace
}  // namespace cradle
