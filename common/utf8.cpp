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

}  // namespace

std::size_t decode_utf8(std::string_view text, char32_t& cp) {
    if (text.empty()) return 0;
    auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned char lead = byte(0);
    std::size_t length = 0;
    char32_t minimum = 0;
    if (lead < 0x80) {
        cp = lead;
        return 1;
    } else if (lead >= 0xc2 && lead <= 0xdf) {
        length = 2;
        cp = lead & 0x1f;
        minimum = 0x80;
    } else if (lead >= 0xe0 && lead <= 0xef) {
        length = 3;
        cp = lead & 0x0f;
        minimum = 0x800;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
        length = 4;
        cp = lead & 0x07;
        minimum = 0x10000;
    } else {
        return 0;
    }
    if (text.size() < length) return 0;
    for (std::size_t i = 1; i < length; ++i) {
        if ((byte(i) & 0xc0) != 0x80) return 0;
        cp = (cp << 6) | (byte(i) & 0x3f);
    }
    if (cp < minimum || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
    return length;
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

}  // namespace cradle
