// SPDX-License-Identifier: Apache-2.0
#include "core/remote/remote_listing.hpp"

#include "common/sha256.hpp"

#include <algorithm>
#include <span>

#include <map>

namespace cradle::remote {

namespace {

constexpr std::string_view kCradles = "cradles/";
constexpr std::string_view kArchive = "/archive/";
constexpr std::string_view kRecord = ".record";

// "cradles/<id>/archive/<path>" → <id>; "" for any other key.
std::string cradle_of(const std::string& key) {
    if (!key.starts_with(kCradles)) return {};
    const auto end = key.find('/', kCradles.size());
    if (end == std::string::npos || key.compare(end, kArchive.size(), kArchive) != 0) return {};
    return key.substr(kCradles.size(), end - kCradles.size());
}

}  // namespace

std::vector<RemoteRecording> list_remote_recordings(S3Client& client, const RemoteFilter& filter) {
    const std::string prefix =
        std::string(kCradles) + (filter.cradle_id.empty() ? std::string() : filter.cradle_id + "/");
    std::map<std::string, StoredObject> objects;
    for (auto& object : client.list_objects(prefix)) objects.emplace(object.key, object);

    std::vector<RemoteRecording> found;
    for (const auto& [key, object] : objects) {
        if (!key.ends_with(kRecord)) continue;
        RemoteRecording recording;
        recording.cradle_id = cradle_of(key);
        if (recording.cradle_id.empty()) continue;  // not a recording's record
        recording.object_key = key.substr(0, key.size() - kRecord.size());
        if (const auto data = objects.find(recording.object_key); data != objects.end()) {
            recording.stored = true;
            recording.stored_size = data->second.size;
        }
        std::string text;
        bool too_long = false;
        client.get_object(key, {}, [&](std::span<const std::byte> chunk) {
            if (text.size() + chunk.size() > ArchiveRecord::kMaxBytes) {
                too_long = true;
                return;
            }
            text.append(reinterpret_cast<const char*>(chunk.data()), chunk.size());
        });
        std::string error;
        auto record = too_long ? std::nullopt : parse_record(text, error);
        if (!record) {
            recording.problem = too_long ? "its record is longer than any record the cradle writes"
                                         : "its record cannot be read: " + error;
            found.push_back(std::move(recording));
            continue;
        }
        recording.record = std::move(*record);
        recording.record_text = std::move(text);
        const std::string expected_key = std::string(kCradles) + recording.cradle_id +
                                         std::string(kArchive) + recording.record.archive_path;
        if (expected_key != recording.object_key) {
            recording.problem = "its record names the archive path " +
                                recording.record.archive_path + ", not its own";
            found.push_back(std::move(recording));
            continue;
        }
        const auto& r = recording.record;
        if (!filter.serial.empty() && r.identity.device_serial != filter.serial) continue;
        if (filter.captured_from != 0 && r.captured_unix_s < filter.captured_from) continue;
        if (filter.captured_to != 0 && r.captured_unix_s > filter.captured_to) continue;
        found.push_back(std::move(recording));
    }
    return found;
}

std::vector<std::string> verify_remote_recording(S3Client& client, const RemoteRecording& recording,
                                                 const std::vector<PublicKey>& keys) {
    std::vector<std::string> problems;
    const std::string& key = recording.object_key;
    if (!recording.problem.empty()) {
        problems.push_back(key + ": " + recording.problem);
        return problems;
    }
    if (!keys.empty()) {
        if (recording.record.signature_hex.empty()) {
            problems.push_back(key +
                               ": its record is not signed: nothing shows the cradle wrote it");
        } else if (std::none_of(keys.begin(), keys.end(), [&](const PublicKey& public_key) {
                       return record_signature_verifies(recording.record_text, recording.record,
                                                        public_key);
                   })) {
            problems.push_back(key + ": its record's signature (key " + recording.record.key_id +
                               ") does not verify with the keys given: changed after it was "
                               "signed, or signed by another key");
        }
    }
    if (!recording.stored) {
        problems.push_back(key + ": its record is in the bucket, the recording is not");
        return problems;
    }
    Sha256 sha;
    std::uint64_t bytes = 0;
    client.get_object(key, {}, [&](std::span<const std::byte> chunk) {
        sha.update(chunk);
        bytes += chunk.size();
    });
    const std::string hash = sha.hex_digest();
    if (bytes != recording.record.size) {
        problems.push_back(key + ": " + std::to_string(bytes) + " bytes stored, its record says " +
                           std::to_string(recording.record.size));
    }
    if (hash != recording.record.sha256_hex) {
        problems.push_back(key + ": the stored bytes hash to " + hash + ", its record says " +
                           recording.record.sha256_hex);
    }
    return problems;
}

std::vector<AuditAnchor> read_remote_anchors(S3Client& client, const std::string& cradle_id,
                                             std::vector<std::string>& problems) {
    constexpr std::uint64_t kMaxAnchorObjectBytes = 1024;
    std::vector<AuditAnchor> anchors;
    for (const StoredObject& object : client.list_objects("cradles/" + cradle_id + "/anchors/")) {
        if (object.size > kMaxAnchorObjectBytes) {
            problems.push_back(object.key + ": larger than an anchor can be");
            continue;
        }
        std::string body;
        client.get_object(object.key, "", [&](std::span<const std::byte> bytes) {
            if (body.size() + bytes.size() <= kMaxAnchorObjectBytes) {
                body.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
            }
        });
        std::vector<std::string> unused;
        std::vector<AuditAnchor> found = parse_anchors(body, unused);
        if (found.size() != 1) {
            problems.push_back(object.key + ": holds no valid anchor");
            continue;
        }
        anchors.push_back(std::move(found.front()));
    }
    return anchors;
}

}  // namespace cradle::remote
