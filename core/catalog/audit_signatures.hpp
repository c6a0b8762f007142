// SPDX-License-Identifier: Apache-2.0
// The audit log's signatures (schema 7). Each entry's hash (which chains it to every entry
// before it) is signed with the cradle's Ed25519 key, so that rewriting the log and recomputing
// its hashes, which anyone who can write the catalog could do, no longer passes a verification:
// a forger also needs the key, which only the service can read.
//
// The keys are in the log itself. "identity.key_created" names the first key (and is signed by
// it); "identity.key_rotated", signed by the key in use, names the next one, which signs every
// entry after it. Entries before the first key (a state directory of an earlier version) are
// unsigned: the first signed entry's hash chains over them, so its signature covers them too.
#pragma once

#include "common/ed25519.hpp"
#include "core/catalog/catalog.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cradle {

inline constexpr std::string_view kKeyCreatedEvent = "identity.key_created";
inline constexpr std::string_view kKeyRotatedEvent = "identity.key_rotated";

// What is signed for an entry whose hash is `hash_hex`.
std::string audit_signature_message(std::string_view hash_hex);

// The detail of the two key entries: the raw public key in hex comes first.
std::string key_created_detail(const PublicKey& key);
std::string key_rotated_detail(const PublicKey& next, std::string_view reason);
// The key a key entry names (nullopt for other entries, or a detail that names none).
std::optional<PublicKey> key_named_in(const AuditRow& row);

struct SignedLog {
    std::vector<PublicKey> keys;  // in the order the log took them up
    std::size_t signed_entries = 0;
    std::size_t entries_before_key = 0;  // unsigned, before "identity.key_created"
};

// Checks every entry's signature; `label` names the log in problems ("audit entry" or
// "archive/audit.journal entry"). With `trusted` (the public key an auditor holds), the log's
// first key must be that key; without it, the log's own first key is taken as given and the
// caller shows its fingerprint to be compared. The first few failing entries are named, then
// how many more fail. A log with entries and no key at all is a problem: it is not signed.
SignedLog check_audit_signatures(const std::vector<AuditRow>& rows,
                                 const std::optional<PublicKey>& trusted, std::string_view label,
                                 std::vector<std::string>& problems);

}  // namespace cradle
