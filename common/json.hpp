// SPDX-License-Identifier: Apache-2.0
// Writing JSON values: the one string escaping and number form of the reports and cradlectl.
#pragma once

#include <string>
#include <string_view>

namespace cradle {

// A JSON string literal, quotes included. Invalid UTF-8 becomes U+FFFD, so that the document
// stays valid; a quote, a backslash and the C0 controls are escaped (\n, \r, \t by name, the
// others as \u00XX); everything else, UTF-8 included, passes through as it is.
std::string json_string(std::string_view text);

// A JSON number in the shortest form that reads back as the same value; null when the value
// is not finite (JSON has no NaN or infinity).
std::string json_number(double value);

}  // namespace cradle
