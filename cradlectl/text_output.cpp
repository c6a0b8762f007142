// SPDX-License-Identifier: Apache-2.0
#include "cradlectl/text_output.hpp"

#include "common/json.hpp"
#include "core/archive/archive_record.hpp"
#include "core/catalog/catalog.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <ctime>

namespace cradle::ctl {

std::string printable(std::string_view text) {
    return sanitize_text(text, 1 << 16);
}

std::string json_string(std::string_view raw) {
    return cradle::json_string(printable(raw));
}

void JsonObject::key(std::string_view key) {
    if (!members_.empty()) members_ += ", ";
    members_ += json_string(key);
    members_ += ": ";
}

JsonObject& JsonObject::add(std::string_view key, std::string_view text) {
    this->key(key);
    members_ += json_string(text);
    return *this;
}

JsonObject& JsonObject::add(std::string_view key, std::int64_t number) {
    this->key(key);
    members_ += std::to_string(number);
    return *this;
}

JsonObject& JsonObject::add(std::string_view key, std::uint64_t number) {
    this->key(key);
    members_ += std::to_string(number);
    return *this;
}

JsonObject& JsonObject::add(std::string_view key, bool value) {
    this->key(key);
    members_ += value ? "true" : "false";
    return *this;
}

JsonObject& JsonObject::add_number(std::string_view key, double value) {
    this->key(key);
    members_ += json_number(value);
    return *this;
}

JsonObject& JsonObject::add_null(std::string_view key) {
    this->key(key);
    members_ += "null";
    return *this;
}

JsonObject& JsonObject::add_json(std::string_view key, std::string_view value) {
    this->key(key);
    members_ += value;
    return *this;
}

void add_text_or_null(JsonObject& object, std::string_view key, const std::string& text) {
    if (text.empty()) {
        object.add_null(key);
    } else {
        object.add(key, text);
    }
}

void add_time(JsonObject& object, std::string_view key, std::int64_t unix_s) {
    if (unix_s == 0) {
        object.add_null(key);
    } else {
        object.add(key, utc_iso8601(unix_s));
    }
}

std::string json_array(const std::vector<std::string>& elements) {
    if (elements.empty()) return "[]";
    std::string out = "[\n";
    for (std::size_t i = 0; i < elements.size(); ++i) {
        out += "  ";
        out += elements[i];
        out += i + 1 < elements.size() ? ",\n" : "\n";
    }
    out += "]";
    return out;
}

std::string text_or_dash(const std::string& text) {
    return text.empty() ? "-" : text;
}

std::string time_or_dash(std::int64_t unix_s) {
    return unix_s == 0 ? "-" : utc_iso8601(unix_s);
}

std::string hex_bytes(std::string_view bytes) {
    return to_hex(bytes);
}

std::string human_bytes(std::uint64_t bytes) {
    static constexpr std::array<const char*, 6> kUnits = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    if (bytes < 1024) return std::to_string(bytes) + " B";
    double value = static_cast<double>(bytes);
    std::size_t unit = 0;
    while (value >= 1024 && unit + 1 < kUnits.size()) {
        value /= 1024;
        ++unit;
    }
    char text[32];
    std::snprintf(text, sizeof text, "%.1f %s", value, kUnits[unit]);
    return text;
}

namespace {
// Display width of sanitised UTF-8: one column per code point.
std::size_t display_width(std::string_view text) {
    return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xc0) != 0x80;
    }));
}
}  // namespace

TextTable::TextTable(std::vector<std::string> headings) {
    rows_.push_back(std::move(headings));
}

void TextTable::add_row(std::vector<std::string> cells) {
    cells.resize(rows_.front().size());
    for (std::string& cell : cells) cell = printable(cell);
    rows_.push_back(std::move(cells));
}

void TextTable::print(std::ostream& out) const {
    std::vector<std::size_t> widths(rows_.front().size(), 0);
    for (const auto& row : rows_) {
        for (std::size_t i = 0; i < row.size(); ++i) {
            widths[i] = std::max(widths[i], display_width(row[i]));
        }
    }
    for (const auto& row : rows_) {
        std::string line;
        for (std::size_t i = 0; i < row.size(); ++i) {
            line += row[i];
            if (i + 1 < row.size()) line.append(widths[i] - display_width(row[i]) + 2, ' ');
        }
        while (!line.empty() && line.back() == ' ') line.pop_back();
        out << line << '\n';
    }
}

void print_fields(std::ostream& out,
                  const std::vector<std::pair<std::string, std::string>>& fields) {
    std::size_t width = 0;
    for (const auto& field : fields) width = std::max(width, display_width(field.first));
    for (const auto& [label, value] : fields) {
        out << label << std::string(width - display_width(label) + 2, ' ') << printable(value)
            << '\n';
    }
}

}  // namespace cradle::ctl
