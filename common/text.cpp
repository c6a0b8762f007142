// SPDX-License-Identifier: Apache-2.0
#include "common/text.hpp"

namespace cradle {
namespace {

constexpr std::string_view kAsciiWhiteSpace = " \t\r\n\v\f";

}  // namespace

std::string ascii_lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

std::string badge_key(std::string_view badge) {
    const std::size_t first = badge.find_first_not_of(kAsciiWhiteSpace);
    if (first == std::string_view::npos) return {};
    const std::size_t last = badge.find_last_not_of(kAsciiWhiteSpace);
    return ascii_lower(badge.substr(first, last - first + 1));
}

bool is_blank_text(std::string_view text) {
    return text.find_first_not_of(kAsciiWhiteSpace) == std::string_view::npos;
}

bool is_empty_or_spaces(std::string_view text) {
    return text.find_first_not_of(' ') == std::string_view::npos;
}

bool is_lower_hex(std::string_view text, std::size_t digits) {
    return text.size() == digits &&
           text.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

}  // namespace cradle
