// SPDX-License-Identifier: Apache-2.0
#include "core/remote/uploader.hpp"

#include "common/sha256.hpp"

#include <openssl/evp.h>

#include <fcntl.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <vector>

namespace cradle::remote {

namespace {

// The hex MD5 of a part, which is the ETag the store gives it.
std::string md5_hex(std::span<const std::byte> data) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_Digest(data.data(), data.size(), digest, &length, EVP_md5(), nullptr) != 1) {
        throw std::runtime_error("MD5 is not available");
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    for (unsigned int i = 0; i < length; ++i) {
        hex += kHex[digest[i] >> 4];
        hex += kHex[digest[i] & 15];
    }
    return hex;
}

std::string sha_hex(std::span<const std::byte> data) {
    Sha256 sha;
    sha.update(data);
    return sha.hex_digest();
}

// Reads up to buffer.size() bytes (fewer only at the end of the file).
std::size_t read_full(FileSystem& fs, const Fd& fd, std::span<std::byte> buffer) {
    std::size_t filled = 0;
    while (filled < buffer.size()) {
        const std::size_t n = fs.read(fd, buffer.subspan(filled));
        if (n == 0) break;
        filled += n;
    }
    return filled;
}

// "2027-12-06T00:00:00Z" and "2027-12-06T00:00:00.000Z" compare as the same instant: the
// store may add milliseconds.
std::string whole_seconds(std::string text) {
    if (const auto dot = text.find('.');
        dot != std::string::npos && !text.empty() && text.back() == 'Z') {
        text = text.substr(0, dot) + "Z";
    }
    return text;
}

}  // namespace

std::string archive_object_key(std::string_view cradle_id, std::string_view archive_path) {
    return "cradles/" + std::string(cradle_id) + "/archive/" + std::string(archive_path);
}

Uploader::Uploader(S3Client& client, FileSystem& fs, std::size_t part_bytes)
    : client_(client), fs_(fs), part_bytes_(std::max<std::size_t>(part_bytes, 5u << 20)) {}

UploadResult Uploader::upload(const UploadSource& source,
                              const std::function<void(const std::string&)>& on_upload_started) {
    ObjectMetadata metadata = source.metadata;
    metadata["sha256"] = source.sha256_hex;
    if (const auto existing = client_.head_object(source.object_key)) {
        const auto sha = existing->metadata.find("sha256");
        if (existing->size != source.size || sha == existing->metadata.end() ||
            sha->second != source.sha256_hex) {
            throw UploadConflict("the central archive holds other contents under " +
                                 source.object_key + " (" + std::to_string(existing->size) +
                                 " bytes); it was left as it is");
        }
        UploadResult result;
        result.already_stored = true;
        result.version_id = confirm(source);
        if (!source.upload_id.empty()) {
            // An upload of an earlier attempt that completed before the cradle recorded it, or
            // was left behind: its parts would stay in the bucket.
            try {
                client_.abort_multipart_upload(source.object_key, source.upload_id);
            } catch (const S3Error&) {
                // Gone already (NoSuchUpload), or the store expires it in time.
            }
        }
        return result;
    }
    UploadResult result = source.size <= part_bytes_
                              ? put_whole(source, metadata)
                              : put_parts(source, metadata, on_upload_started);
    result.version_id = confirm(source);
    return result;
}

UploadResult Uploader::put_whole(const UploadSource& source, const ObjectMetadata& metadata) {
    const Fd fd = fs_.open(source.file, O_RDONLY | O_CLOEXEC);
    std::vector<std::byte> body(static_cast<std::size_t>(source.size) + 1);
    const std::size_t n = read_full(fs_, fd, body);
    body.resize(n);
    // Proof: what is sent is what the catalog recorded, byte for byte. A file changed or cut in
    // the archive is never offered as the evidence.
    const std::string sha = sha_hex(body);
    if (n != source.size || sha != source.sha256_hex) {
        throw UploadConflict("the archived file " + source.file.string() +
                             " no longer matches its recorded size and SHA-256; it was not sent");
    }
    const auto stored = client_.put_object(source.object_key, body, sha, metadata, source.retention,
                                           source.legal_hold);
    UploadResult result;
    result.version_id = stored.version_id;
    result.bytes_sent = n;
    return result;
}

UploadResult Uploader::put_parts(const UploadSource& source, const ObjectMetadata& metadata,
                                 const std::function<void(const std::string&)>& on_upload_started) {
    std::string upload_id = source.upload_id;
    std::map<int, StoredPart> held;
    if (!upload_id.empty()) {
        try {
            for (const auto& part : client_.list_parts(source.object_key, upload_id)) {
                held[part.number] = part;
            }
        } catch (const S3Error& error) {
            if (error.code() != "NoSuchUpload") throw;
            upload_id.clear();  // the store dropped it (aborted, or expired): start over
        }
    }
    if (upload_id.empty()) {
        upload_id = client_.create_multipart_upload(source.object_key, metadata);
        if (on_upload_started) on_upload_started(upload_id);
    }

    const Fd fd = fs_.open(source.file, O_RDONLY | O_CLOEXEC);
    std::vector<std::byte> buffer(part_bytes_);
    Sha256 whole;
    std::vector<StoredPart> parts;
    std::uint64_t total = 0;
    UploadResult result;
    for (int number = 1;; ++number) {
        const std::size_t n = read_full(fs_, fd, buffer);
        if (n == 0) break;
        if (number > 10'000) {
            throw UploadConflict("the archived file " + source.file.string() +
                                 " needs more than 10000 parts");
        }
        const std::span<const std::byte> piece(buffer.data(), n);
        whole.update(piece);
        total += n;
        const auto kept = held.find(number);
        if (kept != held.end() && kept->second.size == n && kept->second.etag == md5_hex(piece)) {
            parts.push_back(kept->second);
            continue;
        }
        parts.push_back(
            {number, n,
             client_.upload_part(source.object_key, upload_id, number, piece, sha_hex(piece))});
        result.bytes_sent += n;
    }
    // Proof: the parts together are the bytes the catalog recorded. Otherwise the upload is
    // abandoned, never completed.
    if (total != source.size || whole.hex_digest() != source.sha256_hex) {
        try {
            client_.abort_multipart_upload(source.object_key, upload_id);
        } catch (const S3Error&) {
            // The store drops an abandoned upload in time; the conflict is what matters.
        }
        throw UploadConflict("the archived file " + source.file.string() +
                             " no longer matches its recorded size and SHA-256; its upload was "
                             "abandoned");
    }
    const auto stored = client_.complete_multipart_upload(source.object_key, upload_id, parts);
    // RGW ignores lock headers when a multipart upload is created: confirm() sets the retention
    // and the legal hold on the completed version (extending a bucket default, never shortening
    // it).
    result.version_id = stored.version_id;
    return result;
}

std::string Uploader::confirm(const UploadSource& source) {
    const auto head = client_.head_object(source.object_key);
    if (!head) {
        throw S3Error(
            S3Error::Kind::bad_answer, 404, "NoSuchKey",
            "the central archive does not show " + source.object_key + " after storing it");
    }
    const auto sha = head->metadata.find("sha256");
    if (head->size != source.size || sha == head->metadata.end() ||
        sha->second != source.sha256_hex) {
        throw UploadConflict("the central archive shows " + source.object_key + " with " +
                             std::to_string(head->size) +
                             " bytes and another SHA-256 than the archive's copy");
    }
    const auto wanted = whole_seconds(source.retention.retain_until);
    const auto held = [&](const std::optional<Retention>& r) {
        return r && r->mode == LockMode::compliance && whole_seconds(r->retain_until) >= wanted;
    };
    auto retention = client_.get_retention(source.object_key, head->version_id);
    if (!held(retention)) {
        // A multipart upload, or an object stored by an attempt that stopped before its
        // retention was set: set it now, to the later of the date it has and the one it needs,
        // so that a bucket's default or an earlier lock is extended, never shortened.
        Retention lock{LockMode::compliance, source.retention.retain_until};
        if (retention && whole_seconds(retention->retain_until) > wanted) {
            lock.retain_until = retention->retain_until;
        }
        client_.put_retention(source.object_key, head->version_id, lock);
        retention = client_.get_retention(source.object_key, head->version_id);
        if (!held(retention)) {
            throw S3Error(S3Error::Kind::bad_answer, 0, {},
                          "the central archive did not keep the COMPLIANCE retention of " +
                              source.object_key + " until " + source.retention.retain_until);
        }
    }
    if (source.legal_hold) client_.put_legal_hold(source.object_key, head->version_id, true);
    return head->version_id;
}

}  // namespace cradle::remote
