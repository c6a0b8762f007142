// SPDX-License-Identifier: Apache-2.0
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

// Where decode_utf8 finds no character: how many bytes one U+FFFD stands for, the longest start
// of a well-formed sequence there (at least 1), so that the text after it survives; 0 where a
// character starts.
std::size_t ill_formed_utf8_length(std::string_view text);

// Whether text holds a C0 control, DEL, or a C1 control (U+0080..U+009F): characters that would
// make a name unreadable, or act, in a log line, a terminal or a report. Bytes that are not
// UTF-8 do not count.
bool has_control_characters(std::string_view text);

// For reports: each invalid byte becomes U+FFFD, the replacement character, so that JSON stays
// valid and the PDF's text layout accepts the text.
std::string valid_utf8(std::string_view text);

// For anything a device says about itself (serials, models, names in messages and logs):
// printable, bounded text. Control characters, line separators, bidirectional formatting and
// invalid UTF-8 become '?', and the result is at most max_bytes, whole characters only.
std::string sanitize_text(std::string_view raw, std::size_t max_bytes = 128);

// Why `value` cannot be a name, serial or reason that people read and compare; empty when it
// can. The one check of the configuration's register, the D-Bus arguments and the CSV imports:
// not UTF-8; control or formatting characters (what sanitize_text would change); invisible
// characters (zero-width space, joiners, word joiner, U+FEFF, soft hyphen, ...), by which one
// value looks like another; white space alone. Emptiness and length are the caller's to check.
std::string text_value_problem(std::string_view value);

}  // namespace cradle
