// SPDX-License-Identifier: Apache-2.0
#include "core/archive/archive_record.hpp"

#include "common/ed25519.hpp"
#include "common/text.hpp"
#include "common/utf8.hpp"
#include "core/archive/archive_path.hpp"

#include <array>
#include <charconv>
#include <limits>
#include <vector>

namespace cradle {

namespace {

constexpr std::size_t kMaxTextBytes = 128;
constexpr std::size_t kMaxNameBytes = 4096;
constexpr std::size_t kMaxPathBytes = 4096;
constexpr std::string_view kRecordSuffix = ".record";

// The keys of version 1, in the order they are written.
constexpr std::array<std::string_view, 19> kKeys = {
    "cradled-record",  "recording_id",           "device_id",
    "dock_session_id", "device_serial",          "device_manufacturer",
    "device_model",    "device_firmware",        "camera_officer_id",
    "ptp_handle",      "captured_unix_s",        "size",
    "archived_at",     "raw_name_hex",           "archive_path",
    "sha256",          "previous_record_sha256", "key_id",
    "signature"};
// Version 1 has the first 17 lines; version 2 adds the signature's two.
constexpr std::size_t kVersion1Lines = 17;

template <typename Integer>
bool parse_integer(std::string_view text, Integer& out) {
    if (text.empty() || text.size() > 20) return false;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size();
}

// Printable text as a record keeps it: sanitised, and a field is one line.
bool is_clean_text(std::string_view text) {
    return text.size() <= kMaxTextBytes && sanitize_text(text, kMaxTextBytes) == text;
}

}  // namespace

std::string to_hex(std::string_view bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(bytes.size() * 2);
    for (char c : bytes) {
        auto byte = static_cast<unsigned char>(c);
        hex += kDigits[byte >> 4];
        hex += kDigits[byte & 0xf];
    }
    return hex;
}

std::optional<std::string> from_hex(std::string_view hex) {
    if (hex.size() % 2 != 0) return std::nullopt;
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        return -1;
    };
    std::string bytes;
    bytes.reserve(hex.size() / 2);
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        int high = nibble(hex[i]);
        int low = nibble(hex[i + 1]);
        if (high < 0 || low < 0) return std::nullopt;
        bytes += static_cast<char>((high << 4) | low);
    }
    return bytes;
}

bool is_sha256_hex_text(std::string_view text) {
    return is_lower_hex(text, 64);
}

std::string record_path_of(std::string_view archive_path) {
    return std::string(archive_path) + std::string(kRecordSuffix);
}

bool is_record_path(std::string_view path) {
    return path.size() > kRecordSuffix.size() && path.ends_with(kRecordSuffix);
}

std::string record_signature_message(std::string_view signed_text) {
    return "cradled record signature v1\n" + std::string(signed_text);
}

std::string format_record(const ArchiveRecord& record, const SigningKey* key) {
    const RecordIdentity& id = record.identity;
    std::string text;
    auto line = [&](std::string_view key, const std::string& value) {
        text.append(key);
        text += '=';
        text += value;
        text += '\n';
    };
    line("cradled-record", key != nullptr ? "2" : "1");
    line("recording_id", std::to_string(record.recording_id));
    line("device_id", std::to_string(record.device_id));
    line("dock_session_id", std::to_string(id.dock_session_id));
    line("device_serial", sanitize_text(id.device_serial, kMaxTextBytes));
    line("device_manufacturer", sanitize_text(id.device_manufacturer, kMaxTextBytes));
    line("device_model", sanitize_text(id.device_model, kMaxTextBytes));
    line("device_firmware", sanitize_text(id.device_firmware, kMaxTextBytes));
    line("camera_officer_id", sanitize_text(id.camera_officer_id, kMaxTextBytes));
    line("ptp_handle", std::to_string(record.ptp_handle));
    line("captured_unix_s", std::to_string(record.captured_unix_s));
    line("size", std::to_string(record.size));
    line("archived_at", std::to_string(record.archived_at));
    line("raw_name_hex", to_hex(record.raw_name.substr(0, kMaxNameBytes)));
    line("archive_path", record.archive_path);
    line("sha256", record.sha256_hex);
    line("previous_record_sha256", id.previous_record_sha256);
    if (key != nullptr) {
        const std::string signature = key->sign_hex(record_signature_message(text));
        line("key_id", key->public_key().key_id());
        line("signature", signature);
    }
    return text;
}

std::optional<ArchiveRecord> parse_record(std::string_view text, std::string& error) {
    if (text.size() > ArchiveRecord::kMaxBytes) {
        error = "larger than a record can be";
        return std::nullopt;
    }
    if (text.empty() || text.back() != '\n') {
        error = "does not end with a complete line";
        return std::nullopt;
    }
    std::vector<std::string_view> values;
    std::size_t at = 0;
    std::size_t signed_bytes = 0;
    while (at < text.size()) {
        const std::size_t line_start = at;
        const std::size_t end = text.find('\n', at);
        const std::string_view line = text.substr(at, end - at);
        at = end + 1;
        if (values.size() == kKeys.size()) {
            error = "has more lines than a record";
            return std::nullopt;
        }
        if (values.size() == kVersion1Lines) signed_bytes = line_start;
        const std::string_view key = kKeys[values.size()];
        if (line.size() < key.size() + 1 || !line.starts_with(key) || line[key.size()] != '=') {
            error = "line " + std::to_string(values.size() + 1) + " is not '" + std::string(key) +
                    "=...'";
            return std::nullopt;
        }
        values.push_back(line.substr(key.size() + 1));
    }
    if (values.empty() || (values[0] != "1" && values[0] != "2")) {
        error = "is of format version '" +
                sanitize_text(values.empty() ? std::string_view() : values[0], 16) +
                "', not 1 or 2";
        return std::nullopt;
    }
    const std::size_t lines = values[0] == "1" ? kVersion1Lines : kKeys.size();
    if (values.size() != lines) {
        error = "has " + std::to_string(values.size()) + " of the " + std::to_string(lines) +
                " lines of a version " + std::string(values[0]) + " record";
        return std::nullopt;
    }
    ArchiveRecord record;
    RecordIdentity& id = record.identity;
    auto bad = [&](std::string_view key) {
        error = "field " + std::string(key) + " is not valid";
        return std::nullopt;
    };
    if (!parse_integer(values[1], record.recording_id) || record.recording_id <= 0) {
        return bad(kKeys[1]);
    }
    if (!parse_integer(values[2], record.device_id) || record.device_id <= 0) return bad(kKeys[2]);
    if (!parse_integer(values[3], id.dock_session_id) || id.dock_session_id < 0) {
        return bad(kKeys[3]);
    }
    std::string* texts[] = {&id.device_serial, &id.device_manufacturer, &id.device_model,
                            &id.device_firmware, &id.camera_officer_id};
    for (std::size_t i = 0; i < 5; ++i) {
        if (!is_clean_text(values[4 + i])) return bad(kKeys[4 + i]);
        *texts[i] = std::string(values[4 + i]);
    }
    if (id.device_serial.empty()) return bad(kKeys[4]);
    if (!parse_integer(values[9], record.ptp_handle)) return bad(kKeys[9]);
    if (!parse_integer(values[10], record.captured_unix_s)) return bad(kKeys[10]);
    if (!parse_integer(values[11], record.size) ||
        record.size > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        return bad(kKeys[11]);
    }
    if (!parse_integer(values[12], record.archived_at) || record.archived_at < 0) {
        return bad(kKeys[12]);
    }
    if (values[13].size() > 2 * kMaxNameBytes) return bad(kKeys[13]);
    auto name = from_hex(values[13]);
    if (!name) return bad(kKeys[13]);
    record.raw_name = std::move(*name);
    if (values[14].size() > kMaxPathBytes || !is_archive_relative_path(values[14]) ||
        is_record_path(values[14])) {
        return bad(kKeys[14]);
    }
    record.archive_path = std::string(values[14]);
    if (!is_sha256_hex_text(values[15])) return bad(kKeys[15]);
    record.sha256_hex = std::string(values[15]);
    if (!values[16].empty() && !is_sha256_hex_text(values[16])) return bad(kKeys[16]);
    id.previous_record_sha256 = std::string(values[16]);
    if (lines == kKeys.size()) {
        if (!is_lower_hex(values[17], 16)) return bad(kKeys[17]);
        if (!is_lower_hex(values[18], 128)) return bad(kKeys[18]);
        record.key_id = std::string(values[17]);
        record.signature_hex = std::string(values[18]);
        record.signed_bytes = signed_bytes;
    }
    return record;
}

bool record_signature_verifies(std::string_view text, const ArchiveRecord& record,
                               const PublicKey& key) {
    if (record.signature_hex.empty() || record.key_id != key.key_id() ||
        record.signed_bytes > text.size()) {
        return false;
    }
    return key.verifies(record_signature_message(text.substr(0, record.signed_bytes)),
                        record.signature_hex);
}

}  // namespace cradle
