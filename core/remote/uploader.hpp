// SPDX-License-Identifier: Apache-2.0
// One archived file into the central archive, with proof: each request names the SHA-256 of its
// body, which the signature covers (the store refuses a changed byte); a file sent whole is
// signed with the SHA-256 the catalog recorded, and a file sent in parts must hash to it before
// the upload is completed; a HEAD and the object's retention are read back before the upload
// counts as done.
//
// Objects are never overwritten: an object already under the key with the same size and
// SHA-256 (an earlier attempt that completed before the cradle could record it) is taken as the
// copy; one with other contents is an error for a custodian, and the key is left alone.
//
// Large files go in parts. An upload cut short (a restart, the store going away) resumes: the
// parts the store already holds are kept when their size and MD5 (the ETag RGW and S3 give a
// part) match the bytes read now, and only the rest is sent.
#pragma once

#include "common/fs.hpp"
#include "core/remote/s3_client.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>

namespace cradle::remote {

// The key of an archive file (or its metadata record) of this cradle in the bucket:
// cradles/<cradle_id>/archive/<archive path>. Both parts are made by the cradle.
std::string archive_object_key(std::string_view cradle_id, std::string_view archive_path);

// A failure that no retry can mend without a custodian: the archived file no longer hashes to
// its recorded SHA-256, or the bucket holds other contents under the recording's key.
class UploadConflict : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct UploadSource {
    std::filesystem::path file;  // in the archive
    std::string object_key;
    std::uint64_t size = 0;
    std::string sha256_hex;   // what the catalog recorded for the file
    ObjectMetadata metadata;  // sha256 is added
    Retention retention;      // COMPLIANCE until capture + retention days
    bool legal_hold = false;
    std::string upload_id;  // a multipart upload to resume ("" for none)
};

struct UploadResult {
    std::string version_id;
    bool already_stored = false;  // found complete in the store; nothing was sent
    std::uint64_t bytes_sent = 0;
};

class Uploader {
  public:
    // Files up to whole_limit go in one streamed request; longer ones in parts of part_bytes
    // (the store's smallest part is 5 MiB, its largest single request 5 GiB). Few, large
    // requests are what makes an upload fast: each request that writes costs the store a
    // fixed time (docs/performance.md).
    static constexpr std::uint64_t kDefaultPartBytes = 64ull << 20;
    static constexpr std::uint64_t kDefaultWholeLimit = 1ull << 30;
    // The reads of a part for its hash: the memory an upload holds, with curl's own buffer.
    static constexpr std::size_t kReadBytes = 1u << 20;

    Uploader(S3Client& client, FileSystem& fs, std::uint64_t part_bytes = kDefaultPartBytes,
             std::uint64_t whole_limit = kDefaultWholeLimit);

    // Stores the file and confirms it. on_upload_started is called with the id of a new
    // multipart upload, before its first part, so that the caller can keep it for a resume.
    // Throws S3Error (the store refused or could not be reached), UploadConflict, or
    // std::system_error (the archive file could not be read).
    UploadResult upload(const UploadSource& source,
                        const std::function<void(const std::string&)>& on_upload_started);

  private:
    UploadResult put_whole(const UploadSource& source, const ObjectMetadata& metadata);
    UploadResult put_parts(const UploadSource& source, const ObjectMetadata& metadata,
                           const std::function<void(const std::string&)>& on_upload_started);
    // HEAD and retention read back; returns the stored version.
    std::string confirm(const UploadSource& source);

    S3Client& client_;
    FileSystem& fs_;
    std::uint64_t part_bytes_;
    std::uint64_t whole_limit_;
};

}  // namespace cradle::remote
