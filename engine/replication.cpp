// SPDX-License-Identifier: Apache-2.0
#include "engine/replication.hpp"

#include "common/sha256.hpp"
#include "common/time_format.hpp"
#include "core/archive/archive_path.hpp"
#include "core/archive/archive_record.hpp"
#include "core/catalog/audit_journal.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <optional>
#include <system_error>
#include <utility>

namespace cradle {

namespace {

constexpr std::int64_t kSecondsPerDay = 86'400;

std::string zero_padded(std::int64_t value, int width) {
    char text[32];
    std::snprintf(text, sizeof text, "%0*lld", width, static_cast<long long>(value));
    return text;
}

}  // namespace

remote::Retention recording_retention(const RemoteConfig& remote, std::int64_t captured_at,
                                      std::int64_t archived_at) {
    const std::int64_t from = std::max(captured_at, archived_at);
    return {remote::LockMode::compliance,
            utc_iso8601(from + static_cast<std::int64_t>(remote.retention_days) * kSecondsPerDay)};
}

Replication::Replication(const RemoteConfig& remote, remote::S3Client& client, FileSystem& fs,
                         std::filesystem::path archive_root)
    : remote_(remote),
      client_(client),
      fs_(fs),
      archive_root_(std::move(archive_root)),
      uploader_(client, fs) {}

Replication::Stored Replication::replicate(
    const ReplicationItem& item,
    const std::function<void(const std::string&, const std::string&)>& on_upload_started) {
    const RecordingRow& row = item.recording;
    // The path was made by the cradle and checked when stored; checked again before it names
    // a file to read and a key to write.
    if (!is_archive_relative_path(row.archive_path)) {
        throw remote::UploadConflict("recording " + std::to_string(row.id) +
                                     " has no usable archive path");
    }
    const auto retention = recording_retention(remote_, row.key.captured_unix_s, row.archived_at);
    remote::ObjectMetadata metadata{
        {"cradle", remote_.cradle_id},
        {"recording-id", std::to_string(row.id)},
        {"captured-at", utc_iso8601(row.key.captured_unix_s)},
    };

    remote::UploadSource source;
    source.file = archive_root_ / row.archive_path;
    source.object_key = remote::archive_object_key(remote_.cradle_id, row.archive_path);
    source.size = row.key.size;
    source.sha256_hex = row.sha256_hex;
    source.metadata = metadata;
    source.retention = retention;
    source.upload_id =
        item.progress.object_key == source.object_key ? item.progress.upload_id : std::string();
    const auto recording = uploader_.upload(source, [&](const std::string& upload_id) {
        if (on_upload_started) on_upload_started(source.object_key, upload_id);
    });

    if (!item.record_sha256_hex.empty()) {
        const std::string record_path = record_path_of(row.archive_path);
        remote::UploadSource record;
        record.file = archive_root_ / record_path;
        record.object_key = remote::archive_object_key(remote_.cradle_id, record_path);
        struct stat info {};
        if (::stat(record.file.c_str(), &info) != 0) {
            throw std::system_error(errno, std::generic_category(),
                                    "reading the record " + record.file.string());
        }
        record.size = static_cast<std::uint64_t>(info.st_size);
        record.sha256_hex = item.record_sha256_hex;
        record.metadata = metadata;
        record.retention = retention;
        uploader_.upload(record, {});
    }

    Stored stored;
    stored.object_key = source.object_key;
    stored.version_id = recording.version_id;
    stored.already_stored = recording.already_stored;
    stored.bytes_sent = recording.bytes_sent;
    return stored;
}

Replication::Stored Replication::replicate_journal(const std::vector<AuditRow>& rows,
                                                   std::int64_t now) {
    if (rows.empty()) throw std::invalid_argument("an empty journal segment");
    std::string body;
    for (const auto& row : rows) body += format_journal_line(row);
    const std::string key = "cradles/" + remote_.cradle_id + "/audit/" +
                            zero_padded(rows.front().seq, 12) + "-" +
                            zero_padded(rows.back().seq, 12) + ".journal";
    return store_locked_text(key, body, "journal segment", now);
}

Replication::Stored Replication::replicate_anchor(const AuditAnchor& anchor, std::int64_t now) {
    const std::string key = "cradles/" + remote_.cradle_id + "/anchors/" +
                            zero_padded(anchor.seq, 12) + "-" + std::to_string(anchor.at) +
                            ".anchor";
    return store_locked_text(key, format_anchor(anchor) + "\n", "anchor", now);
}

Replication::Stored Replication::store_locked_text(const std::string& key, const std::string& body,
                                                   const std::string& what, std::int64_t now) {
    const std::string sha = Sha256::hex_of(body);
    remote::Retention retention{
        remote::LockMode::compliance,
        utc_iso8601(now + static_cast<std::int64_t>(remote_.retention_days) * kSecondsPerDay)};
    remote::ObjectMetadata metadata{{"cradle", remote_.cradle_id}, {"sha256", sha}};
    Stored stored;
    stored.object_key = key;
    if (const auto existing = client_.head_object(key)) {
        // Sent by an attempt that stopped before the catalog recorded it.
        const auto stated = existing->metadata.find("sha256");
        if (stated == existing->metadata.end() || stated->second != sha) {
            throw remote::UploadConflict("the central archive holds another " + what + " under " +
                                         key);
        }
        stored.version_id = existing->version_id;
        stored.already_stored = true;
        return stored;
    }
    const auto put =
        client_.put_object(key, std::as_bytes(std::span(body)), sha, metadata, retention);
    const auto head = client_.head_object(key);
    if (!head || head->size != body.size() || !head->metadata.contains("sha256") ||
        head->metadata.at("sha256") != sha) {
        throw remote::UploadConflict("the central archive does not show the " + what + " " + key +
                                     " as it was sent");
    }
    stored.version_id = put.version_id;
    stored.bytes_sent = body.size();
    return stored;
}

std::vector<std::string> Replication::audit(const std::vector<ReplicationItem>& sample) {
    std::vector<std::string> problems;
    // Reads one version back; its size and SHA-256, or nullopt when the store has no such key.
    const auto read_back =
        [this](const std::string& key,
               const std::string& version) -> std::optional<std::pair<std::uint64_t, std::string>> {
        const auto head = client_.head_object(key);
        if (!head) return std::nullopt;
        Sha256 sha;
        std::uint64_t bytes = 0;
        client_.get_object(key, version, [&](std::span<const std::byte> chunk) {
            sha.update(chunk);
            bytes += chunk.size();
        });
        return std::pair(bytes, sha.hex_digest());
    };
    for (const auto& item : sample) {
        const RecordingRow& row = item.recording;
        const std::string& key = item.progress.object_key;
        const std::string what = "recording " + std::to_string(row.id) + " (" + key + ")";
        const auto head = client_.head_object(key);
        if (!head) {
            problems.push_back(what + " is missing from the central archive");
            continue;
        }
        if (!item.progress.version_id.empty() && head->version_id != item.progress.version_id) {
            problems.push_back(what + " shows version " + head->version_id +
                               ", not the version confirmed (" + item.progress.version_id +
                               "): it was overwritten in the store");
        }
        const auto stored = read_back(key, item.progress.version_id);
        if (!stored || stored->first != row.key.size || stored->second != row.sha256_hex) {
            problems.push_back(
                what + ": the stored bytes differ from the archive's (" +
                (stored ? std::to_string(stored->first) + " bytes, sha256 " + stored->second
                        : std::string("unreadable")) +
                ")");
        }
        if (item.record_sha256_hex.empty()) continue;
        const auto record = read_back(key + ".record", {});
        if (!record || record->second != item.record_sha256_hex) {
            problems.push_back(what + ": its record in the central archive is " +
                               (record ? "not the archive's" : "missing"));
        }
    }
    return problems;
}

}  // namespace cradle
