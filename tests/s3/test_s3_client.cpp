// SPDX-License-Identifier: Apache-2.0
// The S3 client against a real Ceph RADOS Gateway (the fixture s3_store): what the central
// archive relies on, judged by the store, not by this client.
#include "common/sha256.hpp"
#include "core/remote/s3_client.hpp"
#include "tests/s3/s3_store.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cradle {
namespace {

using remote::LockMode;
using remote::Retention;
using remote::S3Client;
using remote::S3Error;

std::vector<std::byte> bytes_of(std::size_t size, unsigned seed) {
    std::vector<std::byte> data(size);
    std::uint32_t x = seed * 2654435761u + 1;
    for (auto& b : data) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        b = static_cast<std::byte>(x);
    }
    return data;
}

std::string sha_of(std::span<const std::byte> data) {
    Sha256 sha;
    sha.update(data);
    return sha.hex_digest();
}

std::string get_sha(S3Client& client, const std::string& key, const std::string& version = {}) {
    Sha256 sha;
    client.get_object(key, version, [&](std::span<const std::byte> chunk) { sha.update(chunk); });
    return sha.hex_digest();
}

class S3ClientTest : public ::testing::Test {
  protected:
    void SetUp() override {
        store_ = test::s3_store();
        bucket_ = test::fresh_bucket_name();
    }
    S3Client client() { return S3Client(test::s3_options(store_, bucket_), store_.credentials); }

    test::S3Store store_;
    std::string bucket_;
};

TEST_F(S3ClientTest, AnObjectPutIsReadBackWithItsSizeMetadataAndBytes) {
    auto s3 = client();
    s3.create_bucket(false);
    const auto body = bytes_of(100'000, 1);
    const auto sha = sha_of(body);
    s3.put_object("cradles/c1/recordings/1.mp4", body, sha, {{"sha256", sha}});

    const auto head = s3.head_object("cradles/c1/recordings/1.mp4");
    ASSERT_TRUE(head.has_value());
    EXPECT_EQ(head->size, body.size());
    EXPECT_EQ(head->metadata.at("sha256"), sha);
    EXPECT_EQ(get_sha(s3, "cradles/c1/recordings/1.mp4"), sha);
    EXPECT_FALSE(s3.head_object("cradles/c1/recordings/2.mp4").has_value());
}

TEST_F(S3ClientTest, ABodyThatIsNotTheOneSignedIsRefusedAndNothingIsStored) {
    auto s3 = client();
    s3.create_bucket(false);
    const auto body = bytes_of(10'000, 2);
    auto changed = body;
    changed[5000] ^= std::byte{1};  // one bit flipped between hashing and sending
    try {
        s3.put_object("k", changed, sha_of(body), {});
        FAIL() << "the store took a body whose hash was not the signed one";
    } catch (const S3Error& e) {
        EXPECT_EQ(e.kind(), S3Error::Kind::refused);
        EXPECT_EQ(e.http_status(), 400);
        EXPECT_EQ(e.code(), "XAmzContentSHA256Mismatch");
    }
    EXPECT_FALSE(s3.head_object("k").has_value());
}

TEST_F(S3ClientTest, WrongCredentialsAreRefusedWithTheStoresCode) {
    auto good = client();
    good.create_bucket(false);
    auto credentials = store_.credentials;
    credentials.secret_key += "x";
    S3Client bad(test::s3_options(store_, bucket_), credentials);
    const auto body = bytes_of(10, 3);
    try {
        bad.put_object("k", body, sha_of(body), {});
        FAIL() << "a request signed with a wrong secret was taken";
    } catch (const S3Error& e) {
        EXPECT_EQ(e.http_status(), 403);
        EXPECT_EQ(e.code(), "SignatureDoesNotMatch");
    }
    EXPECT_FALSE(good.head_object("k").has_value());
}

TEST_F(S3ClientTest, AStoreThatDoesNotAnswerIsATransportError) {
    auto options = test::s3_options(store_, bucket_);
    options.endpoint = "http://127.0.0.1:1";  // nothing listens on port 1
    S3Client s3(options, store_.credentials);
    try {
        s3.head_object("k");
        FAIL() << "a head without a store succeeded";
    } catch (const S3Error& e) {
        EXPECT_EQ(e.kind(), S3Error::Kind::transport);
    }
}

TEST_F(S3ClientTest, AMultipartUploadResumesFromTheStoresListOfParts) {
    auto s3 = client();
    s3.create_bucket(false);
    constexpr std::size_t part = 5u << 20;
    const auto body = bytes_of(2 * part + 1234, 4);
    const std::span<const std::byte> all(body);
    const auto upload = s3.create_multipart_upload("big", {{"sha256", sha_of(body)}});
    s3.upload_part("big", upload, 1, all.subspan(0, part), sha_of(all.subspan(0, part)));

    // A new client (the cradle restarted) asks the store what it holds and sends the rest.
    auto resumed = client();
    auto parts = resumed.list_parts("big", upload);
    ASSERT_EQ(parts.size(), 1u);
    EXPECT_EQ(parts[0].number, 1);
    EXPECT_EQ(parts[0].size, part);
    for (int n = 2; n <= 3; ++n) {
        const auto piece = all.subspan((n - 1) * part, n == 3 ? 1234 : part);
        parts.push_back(
            {n, piece.size(), resumed.upload_part("big", upload, n, piece, sha_of(piece))});
    }
    const auto stored = resumed.complete_multipart_upload("big", upload, parts);
    EXPECT_EQ(stored.size, body.size());

    const auto head = resumed.head_object("big");
    ASSERT_TRUE(head.has_value());
    EXPECT_EQ(head->size, body.size());
    EXPECT_EQ(head->metadata.at("sha256"), sha_of(body));
    EXPECT_EQ(get_sha(resumed, "big"), sha_of(body));
}

TEST_F(S3ClientTest, APartWithAChangedByteIsRefused) {
    auto s3 = client();
    s3.create_bucket(false);
    const auto piece = bytes_of(5u << 20, 5);
    auto changed = piece;
    changed[12345] ^= std::byte{0x80};
    const auto upload = s3.create_multipart_upload("big", {});
    try {
        s3.upload_part("big", upload, 1, changed, sha_of(piece));
        FAIL() << "the store took a part whose hash was not the signed one";
    } catch (const S3Error& e) {
        EXPECT_EQ(e.code(), "XAmzContentSHA256Mismatch");
    }
    EXPECT_TRUE(s3.list_parts("big", upload).empty());
    s3.abort_multipart_upload("big", upload);
}

TEST_F(S3ClientTest, ALockedVersionCannotBeDeletedNorItsRetentionShortened) {
    auto s3 = client();
    s3.create_bucket(true);
    const auto body = bytes_of(1000, 6);
    const Retention year{LockMode::compliance, test::days_from_now(365)};
    const auto stored = s3.put_object("locked", body, sha_of(body), {}, year);
    ASSERT_FALSE(stored.version_id.empty()) << "an Object Lock bucket is versioned";

    const auto retention = s3.get_retention("locked", stored.version_id);
    ASSERT_TRUE(retention.has_value());
    EXPECT_EQ(retention->mode, LockMode::compliance);

    try {
        s3.delete_object("locked", stored.version_id);
        FAIL() << "the store deleted a version under COMPLIANCE retention";
    } catch (const S3Error& e) {
        EXPECT_EQ(e.http_status(), 403);
    }
    try {
        s3.put_retention("locked", stored.version_id,
                         {LockMode::compliance, test::days_from_now(1)});
        FAIL() << "the store shortened a COMPLIANCE retention";
    } catch (const S3Error& e) {
        EXPECT_EQ(e.http_status(), 403);
    }
    // Overwriting or deleting the key only stacks versions: the locked one stays readable.
    const auto other = bytes_of(10, 7);
    s3.put_object("locked", other, sha_of(other), {});
    s3.delete_object("locked", {});
    EXPECT_EQ(get_sha(s3, "locked", stored.version_id), sha_of(body));
}

TEST_F(S3ClientTest, RetentionIsSetAfterAMultipartUploadIsCompleted) {
    auto s3 = client();
    s3.create_bucket(true);
    const auto piece = bytes_of(1000, 8);
    const auto upload = s3.create_multipart_upload("mp", {});
    std::vector<remote::StoredPart> parts{
        {1, piece.size(), s3.upload_part("mp", upload, 1, piece, sha_of(piece))}};
    const auto stored = s3.complete_multipart_upload("mp", upload, parts);
    ASSERT_FALSE(stored.version_id.empty());
    EXPECT_FALSE(s3.get_retention("mp", stored.version_id).has_value())
        << "the bucket has no default retention, and a multipart upload takes no lock headers";
    const auto until = test::days_from_now(365);
    s3.put_retention("mp", stored.version_id, {LockMode::compliance, until});

    const auto retention = s3.get_retention("mp", stored.version_id);
    ASSERT_TRUE(retention.has_value());
    EXPECT_EQ(retention->mode, LockMode::compliance);
    EXPECT_EQ(retention->retain_until.substr(0, 19), until.substr(0, 19));
    try {
        s3.delete_object("mp", stored.version_id);
        FAIL() << "the store deleted a version under COMPLIANCE retention";
    } catch (const S3Error& e) {
        EXPECT_EQ(e.http_status(), 403) << e.what();
    }
}

TEST_F(S3ClientTest, ALegalHoldAloneKeepsAVersionUntilItIsReleased) {
    auto s3 = client();
    s3.create_bucket(true);
    const auto body = bytes_of(100, 10);
    const auto stored = s3.put_object("held", body, sha_of(body), {}, std::nullopt, true);
    try {
        s3.delete_object("held", stored.version_id);
        FAIL() << "the store deleted a version under a legal hold";
    } catch (const S3Error& e) {
        EXPECT_EQ(e.http_status(), 403) << e.what();
    }
    s3.put_legal_hold("held", stored.version_id, false);
    s3.delete_object("held", stored.version_id);
    EXPECT_FALSE(s3.head_object("held").has_value());
}

TEST_F(S3ClientTest, AListingOfAPrefixNamesEveryKeyUnderItAndNoOther) {
    auto s3 = client();
    s3.create_bucket(false);
    const auto body = bytes_of(10, 9);
    for (const auto* key : {"cradles/a/1", "cradles/a/2", "cradles/ab/3", "cradles/b/4"}) {
        s3.put_object(key, body, sha_of(body), {});
    }
    std::vector<std::string> keys;
    for (const auto& o : s3.list_objects("cradles/a/")) keys.push_back(o.key);
    EXPECT_EQ(keys, (std::vector<std::string>{"cradles/a/1", "cradles/a/2"}));
}

}  // namespace
}  // namespace cradle
