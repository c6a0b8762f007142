// SPDX-License-Identifier: Apache-2.0
// What the central archive receives of one archived recording, and of the audit journal, and
// how long each object is locked. Plain blocking code: the service runs it on a thread of its
// own and records each outcome in the catalog (partial: the service does not run it yet).
//
// Of each recording the bucket gets, under cradles/<cradle_id>/archive/<archive path>, the file
// as archived and its metadata record beside it (<path>.record), each locked in COMPLIANCE mode
// until the later of its capture and its archival plus retention_days (a camera's clock may
// say 1970): at least a year after the footage was taken (Art. 16). The audit journal goes in
// segments, cradles/<cradle_id>/audit/<first seq>-<last seq>.journal, each the journal's lines
// of those entries, locked alike from the time it is sent; the anchors of the audit log too,
// cradles/<cradle_id>/anchors/<seq>-<at>.anchor.
#pragma once

#include "common/fs.hpp"
#include "core/catalog/audit_anchor.hpp"
#include "core/catalog/catalog.hpp"
#include "core/config/config.hpp"
#include "core/remote/uploader.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace cradle {

// The COMPLIANCE retention of a recording archived at archived_at and captured at captured_at.
remote::Retention recording_retention(const RemoteConfig& remote, std::int64_t captured_at,
                                      std::int64_t archived_at);

class Replication {
  public:
    Replication(const RemoteConfig& remote, remote::S3Client& client, FileSystem& fs,
                std::filesystem::path archive_root);

    struct Stored {
        std::string object_key;
        std::string version_id;
        bool already_stored = false;
        std::uint64_t bytes_sent = 0;
    };

    // Stores the recording and its record, and confirms both. on_upload_started receives the
    // recording's object key and a new multipart upload's id, to be kept for a resume. Throws
    // remote::S3Error, remote::UploadConflict or std::system_error.
    Stored replicate(const ReplicationItem& item,
                     const std::function<void(const std::string& key,
                                              const std::string& upload_id)>& on_upload_started);

    // Stores audit entries (consecutive, the first following what the store holds) as one
    // segment of the journal. Throws like replicate().
    Stored replicate_journal(const std::vector<AuditRow>& rows, std::int64_t now);
    // Stores an anchor of the audit log (audit_anchor.hpp) as its own locked object,
    // cradles/<cradle_id>/anchors/<seq>-<at>.anchor, holding its line. Throws like replicate().
    Stored replicate_anchor(const AuditAnchor& anchor, std::int64_t now);

    // The remote audit of recordings confirmed earlier: each object is read back (the version
    // confirmed) and compared with the catalog's size and SHA-256, its record too, and the key
    // must still show that version (a newer one means it was overwritten in the store). One
    // line per problem. Throws remote::S3Error when the store cannot be asked.
    std::vector<std::string> audit(const std::vector<ReplicationItem>& sample);

  private:
    // `body` under `key`, locked for retention_days from `now`; an object already there with
    // the same contents (an attempt that stopped before it was recorded) is taken as stored.
    Stored store_locked_text(const std::string& key, const std::string& body,
                             const std::string& what, std::int64_t now);

    const RemoteConfig& remote_;
    remote::S3Client& client_;
    FileSystem& fs_;
    std::filesystem::path archive_root_;
    remote::Uploader uploader_;
};

}  // namespace cradle
