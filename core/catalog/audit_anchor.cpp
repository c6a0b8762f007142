// SPDX-License-Identifier: Apache-2.0
#include "core/catalog/audit_anchor.hpp"

#include "common/text.hpp"
#include "common/time_format.hpp"

#include <charconv>

namespace cradle {
namespace {

// The longest line an anchor can be, with room: anything longer is not one.
constexpr std::size_t kMaxAnchorBytes = 512;

bool parse_int(std::string_view text, std::int64_t& value) {
    if (text.empty() || text.size() > 19) return false;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    return error == std::errc{} && end == text.data() + text.size() && value >= 0;
}

// "name=value" as the next space-separated word of `rest`.
bool take_field(std::string_view& rest, std::string_view name, std::string_view& value) {
    const std::size_t space = rest.find(' ');
    std::string_view word = rest.substr(0, space);
    rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
    if (word.size() <= name.size() || word.substr(0, name.size()) != name ||
        word[name.size()] != '=') {
        return false;
    }
    value = word.substr(name.size() + 1);
    return true;
}

std::optional<AuditAnchor> parse_anchor(std::string_view text) {
    std::string_view seq, hash, at, key, sig;
    if (!take_field(text, "seq", seq) || !take_field(text, "hash", hash) ||
        !take_field(text, "at", at) || !take_field(text, "key", key) ||
        !take_field(text, "sig", sig)) {
        return std::nullopt;
    }
    // A journal export may end the line with a quote or a carriage return.
    while (!sig.empty() && !is_lower_hex(sig.substr(sig.size() - 1), 1)) sig.remove_suffix(1);
    AuditAnchor anchor;
    if (!parse_int(seq, anchor.seq) || anchor.seq == 0 || !is_lower_hex(hash, 64) ||
        !parse_int(at, anchor.at) || !is_lower_hex(key, 16) || !is_lower_hex(sig, 128)) {
        return std::nullopt;
    }
    anchor.hash_hex = hash;
    anchor.key_id = key;
    anchor.signature_hex = sig;
    return anchor;
}

std::string label_of(const AuditAnchor& anchor) {
    return "anchor of " + utc_iso8601(anchor.at) + " (entry " + std::to_string(anchor.seq) + ")";
}

}  // namespace

std::string audit_anchor_message(std::int64_t seq, std::string_view hash_hex, std::int64_t at) {
    return "cradled audit anchor v1\n" + std::to_string(seq) + "\n" + std::string(hash_hex) + "\n" +
           std::to_string(at);
}

AuditAnchor sign_anchor(const SigningKey& key, std::int64_t seq, const std::string& hash_hex,
                        std::int64_t at) {
    AuditAnchor anchor{seq, hash_hex, at, key.public_key().key_id(), ""};
    anchor.signature_hex = key.sign_hex(audit_anchor_message(seq, hash_hex, at));
    return anchor;
}

std::string format_anchor(const AuditAnchor& anchor) {
    return std::string(kAnchorMarker) + "seq=" + std::to_string(anchor.seq) +
           " hash=" + anchor.hash_hex + " at=" + std::to_string(anchor.at) +
           " key=" + anchor.key_id + " sig=" + anchor.signature_hex;
}

std::vector<AuditAnchor> parse_anchors(std::string_view text, std::vector<std::string>& problems) {
    std::vector<AuditAnchor> anchors;
    std::size_t number = 0;
    while (!text.empty()) {
        const std::size_t end = text.find('\n');
        std::string_view line = text.substr(0, end);
        text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
        ++number;
        const std::size_t at = line.find(kAnchorMarker);
        if (at == std::string_view::npos) continue;
        std::string_view rest = line.substr(at + kAnchorMarker.size());
        std::optional<AuditAnchor> anchor;
        if (rest.size() <= kMaxAnchorBytes) anchor = parse_anchor(rest);
        if (anchor) {
            anchors.push_back(std::move(*anchor));
        } else {
            problems.push_back("anchor line " + std::to_string(number) + ": not a valid anchor");
        }
    }
    return anchors;
}

std::int64_t check_anchors(const std::vector<AuditRow>& rows, const std::vector<PublicKey>& keys,
                           const std::vector<AuditAnchor>& anchors,
                           std::vector<std::string>& problems) {
    std::int64_t through = 0;
    const std::int64_t last = rows.empty() ? 0 : rows.back().seq;
    for (const AuditAnchor& anchor : anchors) {
        const PublicKey* signer = nullptr;
        for (const PublicKey& key : keys) {
            if (key.key_id() == anchor.key_id) signer = &key;
        }
        const std::string label = label_of(anchor);
        if (signer == nullptr ||
            !signer->verifies(audit_anchor_message(anchor.seq, anchor.hash_hex, anchor.at),
                              anchor.signature_hex)) {
            problems.push_back(label +
                               ": its signature does not verify with the audit log's keys " +
                               "(a forged anchor, or a log re-signed with another key)");
            continue;
        }
        if (anchor.seq > last) {
            problems.push_back(label + ": the audit log ends at entry " + std::to_string(last) +
                               "; entries " + std::to_string(last + 1) + " to " +
                               std::to_string(anchor.seq) +
                               " were removed (the log was cut short)");
            continue;
        }
        // Rows are in seq order from 1 when the chain is intact; look the entry up by seq.
        const AuditRow* row = nullptr;
        const auto index = static_cast<std::size_t>(anchor.seq - 1);
        if (index < rows.size() && rows[index].seq == anchor.seq) {
            row = &rows[index];
        } else {
            for (const AuditRow& candidate : rows) {
                if (candidate.seq == anchor.seq) row = &candidate;
            }
        }
        if (row == nullptr) {
            problems.push_back(label + ": the audit log has no entry " +
                               std::to_string(anchor.seq) + " (entries were removed)");
            continue;
        }
        if (row->hash_hex != anchor.hash_hex) {
            problems.push_back(label + ": the log's entry " + std::to_string(anchor.seq) +
                               " has another hash: the log was changed at or before that entry");
            continue;
        }
        through = std::max(through, anchor.seq);
    }
    return through;
}

}  // namespace cradle
