// SPDX-License-Identifier: Apache-2.0
// A client of an S3 object store (Ceph's RADOS Gateway, MinIO, AWS S3) for the central archive:
// the requests replication needs and no more, through libcurl, which signs each request with
// AWS Signature Version 4 (CURLOPT_AWS_SIGV4). Nothing here signs by hand.
//
// Every request that carries a body names the body's SHA-256 in x-amz-content-sha256, which
// the signature covers: a store that receives a body with another hash refuses it
// (XAmzContentSHA256Mismatch), so a byte changed between the archive and the store is never
// stored. Bodiless requests say UNSIGNED-PAYLOAD.
//
// Addresses are path-style (ENDPOINT/BUCKET/KEY). Keys are derived by the cradle and must be
// made of letters, digits and "/-_.", which is checked before any request.
//
// Calls block; the replication runs them on a worker thread. A call can be cancelled from
// another thread (cancel()), and a transfer that moves no byte for `stall_timeout` fails.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace cradle::remote {

struct S3Credentials {
    std::string access_key;
    std::string secret_key;
};

struct S3Options {
    std::string endpoint;            // "http://host:port" or "https://host"
    std::string region = "default";  // the SigV4 region (RGW: its zonegroup, usually "default")
    std::string bucket;
    std::chrono::seconds connect_timeout{10};
    std::chrono::seconds stall_timeout{30};       // no byte moved for this long: the call fails
    std::uint64_t max_send_bytes_per_second = 0;  // 0: no cap
    std::string ca_file;                          // empty: the system's certificate authorities
};

// What the store answered when it refused (or what curl reported when it could not ask).
class S3Error : public std::runtime_error {
  public:
    enum class Kind {
        transport,   // no answer: refused connection, timeout, TLS, cancelled
        refused,     // an HTTP error status from the store
        bad_answer,  // a success status with an answer this client cannot read
    };
    S3Error(Kind kind, long http_status, std::string code, const std::string& message);
    Kind kind() const noexcept { return kind_; }
    long http_status() const noexcept { return http_status_; }
    // The S3 error code ("AccessDenied", "RequestTimeTooSkewed", "QuotaExceeded", ...), or
    // empty.
    const std::string& code() const noexcept { return code_; }

  private:
    Kind kind_;
    long http_status_;
    std::string code_;
};

enum class LockMode { governance, compliance };

struct Retention {
    LockMode mode = LockMode::compliance;
    std::string retain_until;  // ISO 8601 UTC, "2027-12-06T00:00:00Z"
};

// User metadata (x-amz-meta-NAME), names in lower case, values printable ASCII.
using ObjectMetadata = std::map<std::string, std::string>;

struct StoredObject {
    std::string key;
    std::uint64_t size = 0;
    std::string etag;
    std::string version_id;  // empty where the bucket has no versioning
    ObjectMetadata metadata;
};

struct StoredPart {
    int number = 0;
    std::uint64_t size = 0;
    std::string etag;
};

// Fills the buffer with the next bytes of a body and returns how many; 0 at its end. It may
// throw: the request is then abandoned and the exception passed on.
using BodyReader = std::function<std::size_t(std::span<std::byte>)>;

class S3Client {
  public:
    S3Client(S3Options options, S3Credentials credentials);
    S3Client(const S3Client&) = delete;
    S3Client& operator=(const S3Client&) = delete;
    ~S3Client();

    // Creates the bucket, with Object Lock (and so versioning) when asked. A bucket that the
    // caller already owns is no error.
    void create_bucket(bool object_lock);

    // Stores `body` under `key`; `sha256_hex` must be its SHA-256, which the store checks.
    StoredObject put_object(std::string_view key, std::span<const std::byte> body,
                            std::string_view sha256_hex, const ObjectMetadata& metadata,
                            const std::optional<Retention>& retention = std::nullopt,
                            bool legal_hold = false);

    // The same, streamed: `size` bytes read from `body` while they are sent.
    StoredObject put_object(std::string_view key, const BodyReader& body, std::uint64_t size,
                            std::string_view sha256_hex, const ObjectMetadata& metadata,
                            const std::optional<Retention>& retention = std::nullopt,
                            bool legal_hold = false);

    // The object's size, version and metadata; nullopt when there is no such key.
    std::optional<StoredObject> head_object(std::string_view key);

    // Reads the object (or one version of it), handing its bytes to `sink` as they arrive.
    void get_object(std::string_view key, std::string_view version_id,
                    const std::function<void(std::span<const std::byte>)>& sink);

    // Multipart upload: parts of 5 MiB at least, except the last; numbers 1..10000.
    std::string create_multipart_upload(std::string_view key, const ObjectMetadata& metadata);
    std::string upload_part(std::string_view key, std::string_view upload_id, int part_number,
                            std::span<const std::byte> body, std::string_view sha256_hex);
    std::string upload_part(std::string_view key, std::string_view upload_id, int part_number,
                            const BodyReader& body, std::uint64_t size,
                            std::string_view sha256_hex);
    // The parts the store holds of an upload not yet completed (to resume it).
    std::vector<StoredPart> list_parts(std::string_view key, std::string_view upload_id);
    StoredObject complete_multipart_upload(std::string_view key, std::string_view upload_id,
                                           const std::vector<StoredPart>& parts);
    void abort_multipart_upload(std::string_view key, std::string_view upload_id);

    void put_retention(std::string_view key, std::string_view version_id,
                       const Retention& retention);
    std::optional<Retention> get_retention(std::string_view key, std::string_view version_id);
    void put_legal_hold(std::string_view key, std::string_view version_id, bool on);

    // Deletes one version (an empty version id: the key, which on a versioned bucket only adds
    // a delete marker). The service never calls it; the tests use it to show that the store
    // refuses it for a locked or held version.
    void delete_object(std::string_view key, std::string_view version_id);

    // Every key under `prefix`, in key order, following continuation tokens.
    std::vector<StoredObject> list_objects(std::string_view prefix);

    // Makes the running call (and any later one until reset_cancel) fail with a transport
    // error. Safe from any thread.
    void cancel() noexcept { cancelled_.store(true); }
    void reset_cancel() noexcept { cancelled_.store(false); }

    // Whether `key` may be used: 1..1024 characters of [A-Za-z0-9/_.-], no "//", no "." or
    // ".." segment, not starting with "/".
    static bool valid_key(std::string_view key);

  private:
    struct Request;
    struct Response;
    Response perform(Request& request);
    std::string object_url(std::string_view key, std::string_view query) const;
    // PUT ?retention= or ?legal-hold= (with the version, if any) with its XML document.
    void put_subresource(std::string_view key, std::string_view version_id,
                         std::string_view subresource, const std::string& xml);

    S3Options options_;
    S3Credentials credentials_;
    std::atomic<bool> cancelled_{false};
};

}  // namespace cradle::remote
