// SPDX-License-Identifier: Apache-2.0
#include "core/catalog/audit_signatures.hpp"

#include "common/utf8.hpp"

namespace cradle {
namespace {

constexpr std::string_view kKeyMarker = "ed25519 public key ";
// Beyond this many failing entries, one line says how many more there are: a log rewritten
// from its start would otherwise give one line per entry.
constexpr std::size_t kNamedFailures = 10;

}  // namespace

std::string audit_signature_message(std::string_view hash_hex) {
    std::string message = "cradled audit signature v1\n";
    message += hash_hex;
    return message;
}

std::string key_created_detail(const PublicKey& key) {
    return std::string(kKeyMarker) + key.hex() + "; fingerprint " + key.fingerprint();
}

std::string key_rotated_detail(const PublicKey& next, std::string_view reason) {
    return "next " + std::string(kKeyMarker) + next.hex() + "; fingerprint " + next.fingerprint() +
           "; reason: " + std::string(reason);
}

std::optional<PublicKey> key_named_in(const AuditRow& row) {
    if (row.event != kKeyCreatedEvent && row.event != kKeyRotatedEvent) return std::nullopt;
    const std::size_t at = row.detail.find(kKeyMarker);
    if (at == std::string::npos) return std::nullopt;
    return PublicKey::from_hex(std::string_view(row.detail).substr(at + kKeyMarker.size(), 64));
}

SignedLog check_audit_signatures(const std::vector<AuditRow>& rows,
                                 const std::optional<PublicKey>& trusted, std::string_view label,
                                 std::vector<std::string>& problems) {
    SignedLog log;
    std::optional<PublicKey> current;
    std::size_t failures = 0;
    const auto fail = [&](const AuditRow& row, const std::string& why) {
        if (++failures <= kNamedFailures) {
            problems.push_back(std::string(label) + " " + std::to_string(row.seq) + " (" +
                               sanitize_text(row.event, 64) + "): " + why);
        }
    };
    for (const AuditRow& row : rows) {
        std::optional<PublicKey> next;
        if (row.event == kKeyCreatedEvent) {
            next = key_named_in(row);
            if (!next) {
                fail(row, "names no valid Ed25519 public key");
            } else if (current) {
                // Only a rotation signed by the key in use may bring in another key.
                fail(row, "brings in another signing key (" + next->key_id() +
                              ") without a rotation signed by the key in use (" +
                              current->key_id() + ")");
                next.reset();
            } else if (trusted && *next != *trusted) {
                fail(row, "the log's signing key " + next->fingerprint() +
                              " is not the key given, " + trusted->fingerprint());
                next.reset();
            } else {
                // Self-signed: the key it names signs it.
                current = next;
                log.keys.push_back(*next);
                next.reset();
            }
        } else if (row.event == kKeyRotatedEvent) {
            next = key_named_in(row);
            if (!next) fail(row, "names no valid Ed25519 public key");
        }
        if (!current) {
            if (row.signature_hex.empty() && row.key_id.empty()) {
                ++log.entries_before_key;
            } else {
                fail(row, "signed, but the log names no signing key before it");
            }
            continue;
        }
        if (row.signature_hex.empty()) {
            fail(row, "not signed, though the log is signed from entry " +
                          std::to_string(rows.front().seq +
                                         static_cast<std::int64_t>(log.entries_before_key)) +
                          " on");
        } else if (row.key_id != current->key_id()) {
            fail(row, "signed by key " + sanitize_text(row.key_id, 16) +
                          ", not by the key in use (" + current->key_id() + ")");
        } else if (!current->verifies(audit_signature_message(row.hash_hex), row.signature_hex)) {
            fail(row, "its signature does not verify with key " + current->key_id() +
                          "; the entry was altered or signed by another key");
        } else {
            ++log.signed_entries;
        }
        if (next) {
            // A rotation: the entries after it are the next key's.
            current = next;
            log.keys.push_back(*next);
        }
    }
    if (failures > kNamedFailures) {
        problems.push_back(std::string(label) + ": " + std::to_string(failures - kNamedFailures) +
                           " more entries fail their signature check");
    }
    if (!rows.empty() && log.keys.empty() && failures == 0) {
        problems.push_back("the audit log is not signed: it names no signing key (no " +
                           std::string(kKeyCreatedEvent) + " entry)");
    }
    return log;
}

}  // namespace cradle
