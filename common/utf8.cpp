// SPDX-License-Identifier: Apache-2.0
#include "common/utf8.hpp"

#include <algorithm>

namespace cradle {
namespace {

// Code points that must not reach a terminal or a log viewer as they are: C0 and C1 controls
// (escape sequences), line and paragraph separators, and bidirectional formatting characters,
// which can make one name display as another.
bool is_unprintable(char32_t cp) {
    return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) || cp == 0x200e || cp == 0x200f ||
           cp == 0x2028 || cp == 0x2029 || (cp >= 0x202a && cp <= 0x202e) ||
           (cp >= 0x2066 && cp <= 0x2069);
}

// The UTF-8 sequence at the start of text, read as far as it is well-formed (RFC 3629, as
// Unicode's table 3-7 bounds each byte): `length` bytes of it; `complete` when they make a whole
// character, `cp`. The bounds on the second byte rule out overlong forms, surrogates and values
// past U+10FFFF; a lead byte that starts no sequence gives length 0.
struct Utf8Scan {
    std::size_t length = 0;
    bool complete = false;
    char32_t cp = 0;
};

Utf8Scan scan_utf8(std::string_view text) {
    Utf8Scan scan;
    if (text.empty()) return scan;
    const auto lead = static_cast<unsigned char>(text[0]);
    if (lead < 0x80) return {1, true, lead};
    std::size_t continuation_count = 0;
    unsigned char second_min = 0x80;
    unsigned char second_max = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
        continuation_count = 1;
        scan.cp = lead & 0x1F;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        continuation_count = 2;
        scan.cp = lead & 0x0F;
        if (lead == 0xE0) second_min = 0xA0;
        if (lead == 0xED) second_max = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        continuation_count = 3;
        scan.cp = lead & 0x07;
        if (lead == 0xF0) second_min = 0x90;
        if (lead == 0xF4) second_max = 0x8F;
    } else {
        return scan;
    }
    scan.length = 1;
    for (std::size_t i = 0; i < continuation_count; ++i) {
        if (scan.length >= text.size()) return scan;
        const auto byte = static_cast<unsigned char>(text[scan.length]);
        if (byte < (i == 0 ? second_min : 0x80) || byte > (i == 0 ? second_max : 0xBF)) return scan;
        scan.cp = (scan.cp << 6) | (byte & 0x3F);
        ++scan.length;
    }
    scan.complete = true;
    return scan;
}

}  // namespace

std::size_t decode_utf8(std::string_view text, char32_t& cp) {
    const Utf8Scan scan = scan_utf8(text);
    if (!scan.complete) return 0;
    cp = scan.cp;
    return scan.length;
}

std::size_t ill_formed_utf8_length(std::string_view text) {
    const Utf8Scan scan = scan_utf8(text);
    if (scan.complete) return 0;
    return scan.length == 0 ? 1 : scan.length;
}

bool has_control_characters(std::string_view text) {
    std::size_t at = 0;
    while (at < text.size()) {
        char32_t cp = 0;
        const std::size_t length = decode_utf8(text.substr(at), cp);
        if (length == 0) {
            ++at;  // a byte of no character is no control character either
            continue;
        }
        if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f)) return true;
        at += length;
    }
    return false;
}

std::string valid_utf8(std::string_view text) {
    constexpr std::string_view replacement = "\xEF\xBF\xBD";
    std::string out;
    out.reserve(text.size());
    std::size_t at = 0;
    while (at < text.size()) {
        char32_t cp = 0;
        const std::size_t length = decode_utf8(text.substr(at), cp);
        if (length == 0) {
            out += replacement;
            ++at;
        } else {
            out.append(text, at, length);
            at += length;
        }
    }
    return out;
}

std::string sanitize_text(std::string_view raw, std::size_t max_bytes) {
    std::string out;
    out.reserve(std::min(raw.size(), max_bytes));
    std::size_t at = 0;
    while (at < raw.size()) {
        char32_t cp = 0;
        std::size_t length = decode_utf8(raw.substr(at), cp);
        std::string_view piece;
        if (length == 0) {
            piece = "?";
            length = 1;
        } else if (is_unprintable(cp)) {
            piece = "?";
        } else {
            piece = raw.substr(at, length);
        }
        // Whole characters only: the result stays valid UTF-8.
        if (out.size() + piece.size() > max_bytes) break;
        out.append(piece);
        at += length;
    }
    return out;
}

namespace {

// Characters that show nothing: a value holding one looks like the value without it.
bool is_invisible(char32_t cp) {
    return cp == 0x00ad || cp == 0x034f || cp == 0x061c || cp == 0x115f || cp == 0x1160 ||
           cp == 0x17b4 || cp == 0x17b5 || cp == 0x180e || (cp >= 0x200b && cp <= 0x200d) ||
           (cp >= 0x2060 && cp <= 0x2064) || cp == 0x3164 || cp == 0xfeff || cp == 0xffa0 ||
           (cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0xe0000 && cp <= 0xe0fff);
}

bool is_white_space(char32_t cp) {
    return cp == 0x20 || cp == 0xa0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200a) ||
           cp == 0x202f || cp == 0x205f || cp == 0x3000;
}

std::string code_point_name(char32_t cp) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string digits;
    for (char32_t rest = cp; rest != 0 || digits.size() < 4; rest >>= 4) {
        digits.insert(digits.begin(), kHex[rest & 0xf]);
    }
    return "U+" + digits;
}

}  // namespace

std::string text_value_problem(std::string_view value) {
    bool only_space = true;
    for (std::size_t at = 0; at < value.size();) {
        char32_t cp = 0;
        const std::size_t length = decode_utf8(value.substr(at), cp);
        if (length == 0) return "is not valid UTF-8";
        if (is_unprintable(cp)) return "contains control or formatting characters";
        if (is_invisible(cp))
            return "contains an invisible character (" + code_point_name(cp) + ")";
        only_space = only_space && is_white_space(cp);
        at += length;
    }
    if (!value.empty() && only_space) return "is blank (white space only)";
    return {};
}

}  // namespace cradle
