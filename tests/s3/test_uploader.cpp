// SPDX-License-Identifier: Apache-2.0
// One archived file into a real Ceph RADOS Gateway (the fixture s3_store): stored whole or in
// parts (above 5 MiB here, to keep the files small), locked, confirmed, resumed after an
// interruption, and never when the archive's copy no longer matches its recorded hash or the
// key holds something else.
#include "common/fs.hpp"
#include "common/sha256.hpp"
#include "core/remote/uploader.hpp"
#include "tests/s3/s3_store.hpp"
#include "tests/support/faulty_fs.hpp"
#include "tests/support/temp_dir.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <fstream>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

namespace cradle {
namespace {

using remote::LockMode;
using remote::S3Client;
using remote::UploadConflict;
using remote::Uploader;
using remote::UploadSource;

constexpr std::size_t kPart = 5u << 20;

class UploaderTest : public ::testing::Test {
  protected:
    void SetUp() override {
        store_ = test::s3_store();
        client_.emplace(test::s3_options(store_, test::fresh_bucket_name()), store_.credentials);
        client_->create_bucket(true);
    }

    // An archive file of `size` bytes and the source that describes it.
    UploadSource archived_file(std::size_t size, const std::string& key) {
        std::vector<char> data(size);
        std::uint32_t x = static_cast<std::uint32_t>(size) * 2654435761u + 7;
        for (auto& c : data) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            c = static_cast<char>(x);
        }
        const auto file = dir_.path() / (key.substr(key.rfind('/') + 1));
        std::ofstream(file, std::ios::binary).write(data.data(), static_cast<long>(size));
        UploadSource source;
        source.file = file;
        source.object_key = key;
        source.size = size;
        source.sha256_hex = Sha256::hex_of(std::string_view(data.data(), size));
        source.metadata = {{"recording-id", "17"}};
        source.retention = {LockMode::compliance, test::days_from_now(365)};
        return source;
    }

    std::string stored_sha(const std::string& key) {
        Sha256 sha;
        client_->get_object(key, {}, [&](std::span<const std::byte> chunk) { sha.update(chunk); });
        return sha.hex_digest();
    }

    test::S3Store store_;
    std::optional<S3Client> client_;
    test::TempDir dir_;
    PosixFileSystem fs_;
};

TEST_F(UploaderTest, ASmallFileIsStoredLockedAndConfirmed) {
    const auto source = archived_file(100'000, "cradles/c1/archive/2026/12/07/000001/00000001.mp4");
    Uploader uploader(*client_, fs_, kPart, kPart);
    const auto result = uploader.upload(source, {});
    EXPECT_FALSE(result.already_stored);
    EXPECT_EQ(result.bytes_sent, source.size);
    EXPECT_FALSE(result.version_id.empty());
    EXPECT_EQ(stored_sha(source.object_key), source.sha256_hex);
    const auto head = client_->head_object(source.object_key);
    EXPECT_EQ(head->metadata.at("sha256"), source.sha256_hex);
    EXPECT_EQ(head->metadata.at("recording-id"), "17");
    const auto retention = client_->get_retention(source.object_key, result.version_id);
    ASSERT_TRUE(retention.has_value());
    EXPECT_EQ(retention->mode, LockMode::compliance);
    EXPECT_EQ(retention->retain_until.substr(0, 19), source.retention.retain_until.substr(0, 19));
    try {
        client_->delete_object(source.object_key, result.version_id);
        FAIL() << "the store deleted a locked version";
    } catch (const remote::S3Error& e) {
        EXPECT_EQ(e.http_status(), 403) << e.what();
    }
}

TEST_F(UploaderTest, ALargeFileGoesInPartsAndIsLockedOnceComplete) {
    const auto source = archived_file(2 * kPart + 777, "cradles/c1/archive/big.mp4");
    Uploader uploader(*client_, fs_, kPart, kPart);
    std::string started;
    const auto result = uploader.upload(source, [&](const std::string& id) { started = id; });
    EXPECT_FALSE(started.empty()) << "the upload's id is handed out to be kept";
    EXPECT_EQ(result.bytes_sent, source.size);
    EXPECT_EQ(stored_sha(source.object_key), source.sha256_hex);
    const auto retention = client_->get_retention(source.object_key, result.version_id);
    ASSERT_TRUE(retention.has_value());
    EXPECT_EQ(retention->mode, LockMode::compliance);
}

TEST_F(UploaderTest, AnInterruptedUploadResumesSendingOnlyWhatTheStoreLacks) {
    auto source = archived_file(3 * kPart + 10, "cradles/c1/archive/resumed.mp4");
    {
        test::FaultyFileSystem faulty(fs_);
        // Part 1 is read twice (hashed, then sent); the first read of part 2 fails.
        faulty.fail_reads_past(2 * kPart, EIO);
        Uploader uploader(*client_, faulty, kPart, kPart);
        EXPECT_THROW(uploader.upload(source, [&](const std::string& id) { source.upload_id = id; }),
                     std::system_error);
    }
    ASSERT_FALSE(source.upload_id.empty());
    EXPECT_FALSE(client_->head_object(source.object_key).has_value()) << "nothing is complete";
    // The premise: the fault struck after the first part was stored (one read per part).
    ASSERT_EQ(client_->list_parts(source.object_key, source.upload_id).size(), 1u);

    Uploader uploader(*client_, fs_, kPart, kPart);
    const auto result = uploader.upload(source, {});
    EXPECT_EQ(result.bytes_sent, source.size - kPart) << "part 1 was not sent again";
    EXPECT_EQ(stored_sha(source.object_key), source.sha256_hex);
}

TEST_F(UploaderTest, AnArchiveFileThatNoLongerMatchesItsHashIsNeverStored) {
    for (const std::size_t size : {std::size_t{1000}, 2 * kPart + 1}) {
        auto source = archived_file(size, "cradles/c1/archive/changed-" + std::to_string(size));
        {
            // One bit of the archive's copy changes after it was verified.
            std::fstream file(source.file, std::ios::in | std::ios::out | std::ios::binary);
            file.seekg(static_cast<long>(size / 2));
            const char byte = static_cast<char>(file.get());
            file.seekp(static_cast<long>(size / 2));
            file.put(static_cast<char>(byte ^ 1));
        }
        Uploader uploader(*client_, fs_, kPart, kPart);
        EXPECT_THROW(uploader.upload(source, {}), UploadConflict) << size;
        EXPECT_FALSE(client_->head_object(source.object_key).has_value()) << size;
    }
}

TEST_F(UploaderTest, AnObjectAlreadyStoredIsConfirmedWithoutSendingItAgain) {
    const auto source = archived_file(1000, "cradles/c1/archive/again.mp4");
    Uploader uploader(*client_, fs_, kPart, kPart);
    const auto first = uploader.upload(source, {});
    const auto second = uploader.upload(source, {});
    EXPECT_TRUE(second.already_stored);
    EXPECT_EQ(second.bytes_sent, 0u);
    EXPECT_EQ(second.version_id, first.version_id);
}

TEST_F(UploaderTest, OtherContentsUnderTheKeyAreAConflictAndAreLeftAlone) {
    const auto source = archived_file(1000, "cradles/c1/archive/taken.mp4");
    const std::string other(1000, 'o');  // the same size: only the hash tells them apart
    const std::string other_sha = Sha256::hex_of(other);
    // Another object with its hash, and one of the same size that states no hash at all.
    for (const auto& metadata :
         {remote::ObjectMetadata{{"sha256", other_sha}}, remote::ObjectMetadata{}}) {
        client_->put_object(source.object_key, std::as_bytes(std::span(other)), other_sha,
                            metadata);
        Uploader uploader(*client_, fs_, kPart, kPart);
        EXPECT_THROW(uploader.upload(source, {}), UploadConflict);
        EXPECT_EQ(stored_sha(source.object_key), other_sha);
    }
}

}  // namespace
}  // namespace cradle
