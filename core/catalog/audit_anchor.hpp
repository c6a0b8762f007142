// SPDX-License-Identifier: Apache-2.0
// Anchors of the audit log: the head of the chain (its last entry's seq and hash, and when),
// signed with the cradle's key and published outside the state directory: in the system
// journal at each dock's end and every hour, and as a locked object in the central archive's
// bucket. A log later cut short, or rewritten up to an anchored entry, no longer holds that
// entry with that hash: `cradlectl verify --anchor` names it, which signatures alone cannot
// (whoever cuts the newest entries leaves the older signatures valid).
//
// One anchor is one line, found anywhere in a text (a journal export, a file from the bucket):
//   cradled-anchor v1 seq=<n> hash=<64 hex> at=<unix seconds> key=<key id> sig=<128 hex>
// The signature is of audit_anchor_message(seq, hash, at).
#pragma once

#include "common/ed25519.hpp"
#include "core/catalog/catalog.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cradle {

inline constexpr std::string_view kAnchorMarker = "cradled-anchor v1 ";

struct AuditAnchor {
    std::int64_t seq = 0;
    std::string hash_hex;
    std::int64_t at = 0;
    std::string key_id;
    std::string signature_hex;
};

std::string audit_anchor_message(std::int64_t seq, std::string_view hash_hex, std::int64_t at);
AuditAnchor sign_anchor(const SigningKey& key, std::int64_t seq, const std::string& hash_hex,
                        std::int64_t at);
// The anchor's line, without a line break.
std::string format_anchor(const AuditAnchor& anchor);
// Every anchor line in `text` (other lines are skipped); a line with the marker that does not
// parse is named in `problems` ("anchor line N: ...").
std::vector<AuditAnchor> parse_anchors(std::string_view text, std::vector<std::string>& problems);

// Checks each anchor against the log: signed by one of the log's keys (`keys`, as
// check_audit_signatures found them), and the log holds its entry with its hash. Returns the
// highest seq an anchor vouches for (0: none); one problem per anchor that fails, naming a log
// cut short or rewritten.
std::int64_t check_anchors(const std::vector<AuditRow>& rows, const std::vector<PublicKey>& keys,
                           const std::vector<AuditAnchor>& anchors,
                           std::vector<std::string>& problems);

}  // namespace cradle
