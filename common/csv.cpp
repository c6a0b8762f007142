// SPDX-License-Identifier: Apache-2.0
#include "common/csv.hpp"

#include "common/utf8.hpp"

namespace cradle {
namespace {

// What a spreadsheet runs as a formula when a cell starts with it.
bool starts_like_a_formula(std::string_view text) {
    return !text.empty() &&
           std::string_view("=+-@\t\r").find(text.front()) != std::string_view::npos;
}

}  // namespace

std::string csv_field(std::string_view text) {
    std::string value = valid_utf8(text);
    if (value.find_first_of(",\"\r\n") == std::string::npos) {
        return value;
    }
    std::string quoted = "\"";
    for (char c : value) {
        if (c == '"') {
            quoted += '"';
        }
        quoted += c;
    }
    quoted += '"';
    return quoted;
}

std::string csv_record(const std::vector<std::string>& fields) {
    std::string out;
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (i != 0) out += ',';
        out += csv_field(fields[i]);
    }
    return out + "\r\n";
}

std::string guard_formula(std::string text) {
    if (starts_like_a_formula(text)) text.insert(0, 1, '\'');
    return text;
}

std::string unguard_formula(std::string text) {
    if (text.size() >= 2 && text.front() == '\'' &&
        starts_like_a_formula(std::string_view(text).substr(1))) {
        text.erase(0, 1);
    }
    return text;
}

}  // namespace cradle
