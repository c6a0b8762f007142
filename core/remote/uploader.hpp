// SPDX-License-Identifier: Apache-2.0
// One archived file into the central archive, with proof: the file is read from the archive and
// hashed while it is sent, each request names the SHA-256 of its body (the store refuses a
// changed byte), the whole file must hash to what the catalog recorded or nothing is completed,
// and a HEAD and the object's retention are read back before the upload counts as done.
//
// Objects are never overwritten: an object already under the key with the same size and
// SHA-256 (an earlier attempt that completed before the cradle could record it) is taken as the
// copy; one with other contents is an error for a custodian, and the key is left alone.
//
// Large files go in parts of `part_bytes`. An upload cut short (a restart, the store going
// away) resumes: the parts the store already holds are kept when their size and MD5 (the ETag
// RGW and S3 give a part) match the bytes read now, and only the rest is sent.
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
    // 5 MiB is the store's smallest part; 8 MiB keeps a running upload's memory small.
    static constexpr std::size_t kDefaultPartBytes = 8u << 20;

    Uploader(S3Client& client, FileSystem& fs, std::size_t part_bytes = kDefaultPartBytes);

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
    std::size_t part_bytes_;
};

}  // namespace cradle::remote
