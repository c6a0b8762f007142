// SPDX-License-Identifier: Apache-2.0
#include "core/remote/uploader.hpp"

#include "common/sha256.hpp"

#include <openssl/evp.h>

#include <fcntl.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <vector>

namespace cradle::remote {

namespace {

// The MD5 of a part, computed as it is read: the ETag the store gives a part.
class Md5 {
  public:
    Md5() : ctx_(EVP_MD_CTX_new()) {
        if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), EVP_md5(), nullptr) != 1) {
            throw std::runtime_error("MD5 is not available");
        }
    }
    void update(std::span<const std::byte> data) {
        EVP_DigestUpdate(ctx_.get(), data.data(), data.size());
    }
    std::string hex_digest() {
        unsigned char digest[EVP_MAX_MD_SIZE];
        unsigned int length = 0;
        EVP_DigestFinal_ex(ctx_.get(), digest, &length);
        static constexpr char kHex[] = "0123456789abcdef";
        std::string hex;
        for (unsigned int i = 0; i < length; ++i) {
            hex += kHex[digest[i] >> 4];
            hex += kHex[digest[i] & 15];
        }
        return hex;
    }

  private:
    struct Free {
        void operator()(EVP_MD_CTX* ctx) const noexcept { EVP_MD_CTX_free(ctx); }
    };
    std::unique_ptr<EVP_MD_CTX, Free> ctx_;
};

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

Uploader::Uploader(S3Client& client, FileSystem& fs, std::uint64_t part_bytes,
                   std::uint64_t whole_limit)
    : client_(client),
      fs_(fs),
      part_bytes_(std::max<std::uint64_t>(part_bytes, 5u << 20)),
      whole_limit_(std::min<std::uint64_t>(whole_limit, 5ull << 30)) {}

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
    std::error_code error;
    const auto on_disk = std::filesystem::file_size(source.file, error);
    if (!error && on_disk != source.size) {
        throw UploadConflict("the archived file " + source.file.string() + " holds " +
                             std::to_string(on_disk) + " bytes, its record says " +
                             std::to_string(source.size) + "; it was not sent");
    }
    UploadResult result = source.size <= whole_limit_
                              ? put_whole(source, metadata)
                              : put_parts(source, metadata, on_upload_started);
    result.version_id = confirm(source);
    return result;
}

UploadResult Uploader::put_whole(const UploadSource& source, const ObjectMetadata& metadata) {
    const Fd fd = fs_.open(source.file, O_RDONLY | O_CLOEXEC);
    std::uint64_t sent = 0;
    const BodyReader body = [&](std::span<std::byte> out) -> std::size_t {
        const auto room =
            static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), source.size - sent));
        if (room == 0) return 0;
        const std::size_t n = fs_.read(fd, out.first(room));
        sent += n;
        return n;
    };
    StoredObject stored;
    try {
        stored = client_.put_object(source.object_key, body, source.size, source.sha256_hex,
                                    metadata, source.retention, source.legal_hold);
    } catch (const S3Error& error) {
        // Proof: the request is signed with the SHA-256 the catalog recorded, and the store
        // takes the body only if it hashes to it. A refusal for that reason means the archive's
        // copy has changed: it is never offered as the evidence.
        if (error.code() == "XAmzContentSHA256Mismatch") {
            throw UploadConflict("the archived file " + source.file.string() +
                                 " no longer matches its recorded SHA-256; it was not stored");
        }
        throw;
    }
    UploadResult result;
    result.version_id = stored.version_id;
    result.bytes_sent = sent;
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

    // Each part is read twice, from two descriptors that move through the file together: once
    // to hash it (its SHA-256 signs its request), once to send it. The second read comes from
    // the page cache, and no part is ever held in memory whole.
    const Fd hashed = fs_.open(source.file, O_RDONLY | O_CLOEXEC);
    const Fd sending = fs_.open(source.file, O_RDONLY | O_CLOEXEC);
    std::vector<std::byte> buffer(kReadBytes);
    Sha256 whole;
    std::vector<StoredPart> parts;
    UploadResult result;
    const auto parts_needed = (source.size + part_bytes_ - 1) / part_bytes_;
    if (parts_needed > 10'000) {
        throw UploadConflict("the archived file " + source.file.string() +
                             " needs more than 10000 parts");
    }
    for (std::uint64_t offset = 0; offset < source.size; offset += part_bytes_) {
        const int number = static_cast<int>(offset / part_bytes_) + 1;
        const std::uint64_t length = std::min<std::uint64_t>(part_bytes_, source.size - offset);
        const auto kept = held.find(number);
        const bool maybe_kept = kept != held.end() && kept->second.size == length;
        Sha256 part_sha;
        std::optional<Md5> part_md5;
        if (maybe_kept) part_md5.emplace();
        for (std::uint64_t done = 0; done < length;) {
            const auto want =
                static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), length - done));
            const std::size_t n = fs_.read(hashed, std::span(buffer.data(), want));
            if (n == 0) {
                throw UploadConflict("the archived file " + source.file.string() +
                                     " is shorter than its recorded size; it was not sent");
            }
            const std::span<const std::byte> piece(buffer.data(), n);
            whole.update(piece);
            part_sha.update(piece);
            if (part_md5) part_md5->update(piece);
            done += n;
        }
        std::uint64_t sent = 0;
        const BodyReader body = [&](std::span<std::byte> out) -> std::size_t {
            const auto room =
                static_cast<std::size_t>(std::min<std::uint64_t>(out.size(), length - sent));
            if (room == 0) return 0;
            const std::size_t n = fs_.read(sending, out.first(room));
            sent += n;
            return n;
        };
        if (maybe_kept && kept->second.etag == part_md5->hex_digest()) {
            // The store holds this part as the file has it: skip its bytes on the sending side.
            while (sent < length) {
                if (body(std::span(buffer.data(), buffer.size())) == 0) break;
            }
            parts.push_back(kept->second);
            continue;
        }
        try {
            parts.push_back({number, length,
                             client_.upload_part(source.object_key, upload_id, number, body, length,
                                                 part_sha.hex_digest())});
        } catch (const S3Error& error) {
            if (error.code() == "XAmzContentSHA256Mismatch") {
                throw UploadConflict("the archived file " + source.file.string() +
                                     " changed while it was sent; its upload was left unfinished");
            }
            throw;
        }
        result.bytes_sent += length;
    }
    // Proof: the parts together are the bytes the catalog recorded. Otherwise the upload is
    // abandoned, never completed.
    if (whole.hex_digest() != source.sha256_hex) {
        try {
            client_.abort_multipart_upload(source.object_key, upload_id);
        } catch (const S3Error&) {
            // The store drops an abandoned upload in time; the conflict is what matters.
        }
        throw UploadConflict("the archived file " + source.file.string() +
                             " no longer matches its recorded SHA-256; its upload was abandoned");
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
