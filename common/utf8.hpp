// UTF-8 from devices and files, which may not be valid: one decoder, and the two ways the
// product passes such text on.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace cradle {

// The length of the well-formed UTF-8 sequence at the start of text (RFC 3629: no overlong
// form, no surrogate, nothing above U+10FFFF, not truncated) and its code point in cp; 0 if
// the first byte does not start one.
std::size_t decode_utf8(std::string_view text, char32_t& cp);

// For reports: each invalid byte becomes U+FFFD, the replacement character, so that JSON stays
// valid and the PDF's text layout accepts the text.
std::string valid_utf8(std::string_view text);

// For anything a device says about itself (serials, models, names in messages and logs):
// printable, bounded text. Control characters, line separators, bidirectional formatting and
// invalid UTF-8 become '?', and the result is at most max_bytes, whole characters only.
std::string sanitize_text(std::string_view raw, std::size_t max_bytes = 128);

}  // namespace cradle
