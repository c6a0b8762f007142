// SPDX-License-Identifier: Apache-2.0
// The catalog's values: the rows its queries read, the checks on what it stores, and text
// trimmed as the catalog stores it.
#include "core/catalog/catalog_internal.hpp"

#include "common/text.hpp"

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>

namespace cradle {

namespace catalog_detail {

using sqlite::Query;

std::optional<RecordingState> parse_state(std::string_view text) {
    if (text == "copying") return RecordingState::copying;
    if (text == "archived") return RecordingState::archived;
    if (text == "wiped") return RecordingState::wiped;
    return std::nullopt;
}

bool is_sha256_hex(std::string_view text) {
    return is_lower_hex(text, 64);
}

DeviceRow read_device(const Query& query) {
    DeviceRow row;
    row.id = query.integer(0);
    row.serial = query.text(1);
    row.manufacturer = query.text(2);
    row.model = query.text(3);
    row.firmware = query.text(4);
    row.registered = query.integer(5) != 0;
    row.custodian = query.text(6);
    row.officer = query.text(7);
    row.head = query.text(8);
    row.first_seen = query.integer(9);
    row.last_seen = query.integer(10);
    row.retired = query.integer(11) != 0;
    row.retired_at = query.integer(12);
    return row;
}

RecordingRow read_recording(const Query& query) {
    RecordingRow row;
    row.id = query.integer(0);
    row.key.device_id = query.integer(1);
    row.key.handle = static_cast<std::uint32_t>(query.integer(2));
    row.key.name = query.blob(3);
    row.key.size = static_cast<std::uint64_t>(query.integer(4));
    row.key.captured_unix_s = query.integer(5);
    std::string state = query.text(6);
    auto parsed = parse_state(state);
    if (!parsed) {
        throw CatalogError("catalog: " + query.doing() + ": recording " + std::to_string(row.id) +
                           " has an unknown state '" + sanitize_text(state, 32) + "'");
    }
    row.state = *parsed;
    row.sha256_hex = query.text(7);
    row.archive_path = query.text(8);
    row.archived_at = query.integer(9);
    row.wiped_at = query.integer(10);
    row.officer = query.text(11);
    row.camera_officer_id = query.text(12);
    row.attribution_disagrees = query.integer(13) != 0;
    return row;
}

AuditRow read_audit(const Query& query) {
    AuditRow row;
    row.seq = query.integer(0);
    row.at = query.integer(1);
    row.event = query.text(2);
    row.bay = static_cast<int>(query.integer(3));
    row.device_serial = query.text(4);
    row.recording_id = query.integer(5);
    row.detail = query.text(6);
    row.prev_hash_hex = query.text(7);
    row.hash_hex = query.text(8);
    row.key_id = query.text(9);
    row.signature_hex = query.text(10);
    return row;
}

std::string trimmed(std::string_view text) {
    auto not_space = [](unsigned char c) { return std::isspace(c) == 0; };
    auto first = std::find_if(text.begin(), text.end(), not_space);
    auto last = std::find_if(text.rbegin(), text.rend(), not_space).base();
    return first < last ? std::string(first, last) : std::string();
}

}  // namespace catalog_detail

const char* to_string(RecordingState state) noexcept {
    switch (state) {
        case RecordingState::copying:
            return "copying";
        case RecordingState::archived:
            return "archived";
        case RecordingState::wiped:
            return "wiped";
    }
    return "unknown";
}

}  // namespace cradle
