// SPDX-License-Identifier: Apache-2.0
// Small predicates and keys on text that several layers need alike: how a badge is compared,
// what counts as a blank value, and what a hex field is. Each named by what it means, since "blank"
// has more than one meaning in the product.
#pragma once

#include <string>
#include <string_view>

namespace cradle {

// ASCII letters in lower case, whatever the locale; other bytes (UTF-8 included) unchanged.
std::string ascii_lower(std::string_view text);

// A badge as the roster and the register compare it: without surrounding ASCII white space,
// ASCII letters in lower case (the catalog's column is NOCASE, which folds no other letters, and
// stores the badge trimmed). "" for a blank badge.
std::string badge_key(std::string_view badge);

// Empty, or nothing but ASCII white space (space, tab, CR, LF, VT, FF): a value an officer or
// IT typed that holds nothing.
bool is_blank_text(std::string_view text);

// Empty, or nothing but the space character: a configuration value that names nothing. (A tab
// or another control character is not counted here; the configuration refuses it as a control
// character, with its own message.)
bool is_empty_or_spaces(std::string_view text);

// Exactly `digits` lower-case hex digits: the one spelling of a hash, key id or signature the
// product writes, and so the only one it reads back.
bool is_lower_hex(std::string_view text, std::size_t digits);

}  // namespace cradle
