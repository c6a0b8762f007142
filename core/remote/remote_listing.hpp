// SPDX-License-Identifier: Apache-2.0
// The county's view of the central archive, read from the bucket alone (any machine with read
// credentials): every cradle's recordings with the custody facts of their metadata records,
// and a re-hash of the stored objects against those records. Nothing here writes.
#pragma once

#include "common/ed25519.hpp"
#include "core/archive/archive_record.hpp"
#include "core/catalog/audit_anchor.hpp"
#include "core/remote/s3_client.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace cradle::remote {

struct RemoteRecording {
    std::string cradle_id;
    std::string object_key;         // of the recording; its record is object_key + ".record"
    std::uint64_t stored_size = 0;  // the recording object's size in the bucket
    bool stored = false;            // the recording object is in the bucket (its record may be
                                    // there without it)
    ArchiveRecord record;           // the custody facts, when `problem` is empty
    std::string record_text;        // the record as stored, for its signature
    std::string problem;            // why the record could not be read ("" for none)
};

struct RemoteFilter {
    std::string cradle_id;           // "" for every cradle
    std::string serial;              // "" for every camera
    std::int64_t captured_from = 0;  // Unix seconds, inclusive; 0 = open
    std::int64_t captured_to = 0;    // Unix seconds, inclusive; 0 = open
};

// The recordings under cradles/ that match, by cradle and capture time. Each record is read
// (one GET each) and checked as untrusted text; one that cannot be read is listed with its
// problem, whatever the filter's serial and times.
std::vector<RemoteRecording> list_remote_recordings(S3Client& client, const RemoteFilter& filter);

// Reads the recording's object back and compares its size and SHA-256 with its record: one
// line per problem, none when the store holds what the record describes. With `keys` (the
// cradle's public keys), the record must also carry a signature one of them verifies: an
// unsigned record, or one whose text was changed after it was signed, is a problem.
std::vector<std::string> verify_remote_recording(S3Client& client, const RemoteRecording& recording,
                                                 const std::vector<PublicKey>& keys = {});

// The anchors of one cradle's audit log stored in the bucket (cradles/<cradle_id>/anchors/),
// oldest first, each as its anchor line (audit_anchor.hpp); an object that holds no valid
// anchor is named in `problems`. Objects larger than an anchor can be are not read.
std::vector<AuditAnchor> read_remote_anchors(S3Client& client, const std::string& cradle_id,
                                             std::vector<std::string>& problems);

}  // namespace cradle::remote
