// SPDX-License-Identifier: Apache-2.0
// Checks a state directory end to end, read-only: archive files <-> catalog <-> audit log.
// Used by `cradlectl verify` and by the fault tests' invariant checker.
#pragma once

#include "common/ed25519.hpp"
#include "core/catalog/audit_anchor.hpp"

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace cradle {

struct VerifyReport {
    std::vector<std::string> problems;  // each names the file, row or audit entry concerned
    // Files start-up recovery put aside for a custodian (relative to the state directory):
    // not a problem of the state, but each needs looking at.
    std::vector<std::string> quarantined;
    std::size_t files_checked = 0;
    std::size_t recordings_checked = 0;
    std::size_t audit_rows_checked = 0;
    // The fingerprints of the keys that sign the audit log, in the order it took them up, and
    // how many entries carry a good signature; entries before the first key (a state directory
    // of an earlier version) are unsigned and covered by the first signed entry's chain.
    std::vector<std::string> signing_keys;
    std::size_t signed_entries = 0;
    std::size_t entries_before_key = 0;
    // With anchors: how many were given, and the highest entry one of them vouches for.
    std::size_t anchors_checked = 0;
    std::int64_t anchored_through = 0;
    bool ok() const { return problems.empty(); }
};

// Checks that:
//  - every archived or wiped recording's file exists, is read-only, has the catalog's size,
//    and re-hashes (from the disk, cache dropped) to the catalog's SHA-256;
//  - every file under archive/ belongs to an archived or wiped recording (no orphans): the
//    recording's file, its metadata record, or the audit journal;
//  - each recording's record (when the catalog holds its hash) is there, hashes to that hash,
//    and names the recording's SHA-256;
//  - the archive's audit journal is well-formed and holds no entry the catalog lacks or holds
//    differently (a catalog behind the archive);
//  - staging/ holds nothing; quarantine/ is listed (VerifyReport::quarantined);
//  - no two recording rows share a key;
//  - the audit chain is intact (each row's hash recomputes and links to the previous one),
//    and every archived recording has its "recording.archived" entry, every wiped one its
//    "recording.wiped" entry;
//  - the register (devices' registration, device_history) and the officers' roster are what
//    the audit log's entries of their changes make them (register_replay.hpp);
//  - every audit entry from the log's first key on carries that key's (or, after a rotation,
//    the next key's) signature of its hash; with options.trusted_key, the log's first key is
//    that key (audit_signatures.hpp).
// Nothing secret is read: an auditor needs the state directory and the public key only.
//  - with options.anchors (audit_anchor.hpp), that each anchor is signed by one of the log's
//    keys and the log holds its entry with its hash (nothing cut or rewritten up to it).
struct VerifyOptions {
    std::optional<PublicKey> trusted_key;
    std::vector<AuditAnchor> anchors;
};
VerifyReport verify_state(const std::filesystem::path& state_dir,
                          const VerifyOptions& options = {});

// The files under <state_dir>/quarantine/ (relative to the state directory, sorted): what
// start-up recovery put aside because the catalog did not account for it. Throws
// std::filesystem::filesystem_error when the folder cannot be listed.
std::vector<std::string> quarantined_files(const std::filesystem::path& state_dir);

}  // namespace cradle
