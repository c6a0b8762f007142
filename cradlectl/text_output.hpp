// SPDX-License-Identifier: Apache-2.0
// Output helpers of cradlectl: JSON values, UTC times, aligned text tables.
#pragma once

#include "common/time_format.hpp"

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cradle::ctl {

// Everything cradlectl prints passes through here: a catalog can have been edited by hand, so
// even fields the daemon sanitised before storing them are made printable again.
std::string printable(std::string_view text);

// A JSON string literal (with its quotes) of printable(text), as common/json.hpp writes one.
std::string json_string(std::string_view text);

// One JSON object, built member by member in the order given.
class JsonObject {
  public:
    JsonObject& add(std::string_view key, std::string_view text);
    JsonObject& add(std::string_view key, const char* text) {
        return add(key, std::string_view(text));
    }
    JsonObject& add(std::string_view key, std::int64_t number);
    JsonObject& add(std::string_view key, std::uint64_t number);
    JsonObject& add(std::string_view key, int number) {
        return add(key, static_cast<std::int64_t>(number));
    }
    JsonObject& add(std::string_view key, bool value);
    // A JSON number; null when not finite.
    JsonObject& add_number(std::string_view key, double value);
    JsonObject& add_null(std::string_view key);
    // value must already be JSON.
    JsonObject& add_json(std::string_view key, std::string_view value);
    std::string str() const { return "{" + members_ + "}"; }

  private:
    void key(std::string_view key);
    std::string members_;
};

// A member that is null where the catalog has nothing: an empty text, or a time of 0 ("never").
void add_text_or_null(JsonObject& object, std::string_view key, const std::string& text);
void add_time(JsonObject& object, std::string_view key, std::int64_t unix_s);

// A JSON array, one element per line.
std::string json_array(const std::vector<std::string>& elements);

// "2024-05-01T10:00:00Z": common/time_format.hpp's.
using cradle::utc_iso8601;

// The same for text: "-" for an empty text or a time of 0.
std::string text_or_dash(const std::string& text);
std::string time_or_dash(std::int64_t unix_s);

// Lower-case hex of raw bytes.
std::string hex_bytes(std::string_view bytes);

// "1.5 GiB"; bytes below 1 KiB as "512 B".
std::string human_bytes(std::uint64_t bytes);

// Columns padded to their widest cell, two spaces apart; no trailing blanks.
class TextTable {
  public:
    explicit TextTable(std::vector<std::string> headings);
    void add_row(std::vector<std::string> cells);
    void print(std::ostream& out) const;

  private:
    std::vector<std::vector<std::string>> rows_;  // headings first
};

// "label   value" lines with the values aligned.
void print_fields(std::ostream& out,
                  const std::vector<std::pair<std::string, std::string>>& fields);

}  // namespace cradle::ctl
