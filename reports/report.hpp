// SPDX-License-Identifier: Apache-2.0
// A report as data: what a custodian reads, with no knowledge of how it is printed. The
// renderers (CSV, JSON, PDF) take this model; the report builders fill it from the register
// and the catalog.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace cradle::reports {

struct TextCell {
    std::string value;
};

struct NumberCell {
    double value = 0;
    int decimals = 0;  // digits shown after the point
};

// A moment, stored in UTC and shown in the reader's local time zone (TZ honoured).
struct TimeCell {
    std::int64_t utc_seconds = 0;
};

// A yes/no fact (wiped, flagged, ...).
struct FlagCell {
    bool value = false;
};

using Cell = std::variant<TextCell, NumberCell, TimeCell, FlagCell>;

inline Cell text(std::string value) {
    return TextCell{std::move(value)};
}
inline Cell number(double value, int decimals = 0) {
    return NumberCell{value, decimals};
}
inline Cell time_utc(std::int64_t utc_seconds) {
    return TimeCell{utc_seconds};
}
inline Cell flag(bool value) {
    return FlagCell{value};
}
inline Cell empty() {
    return TextCell{};
}

struct Column {
    std::string key;      // stable, for programs reading the JSON and CSV (e.g. "serial")
    std::string heading;  // for people, in the reader's language (e.g. "Serial", "序列号")
};

struct Table {
    std::vector<Column> columns;
    std::vector<std::vector<Cell>> rows;  // each row has one cell per column
};

struct Section {
    std::string key;  // stable (e.g. "devices")
    std::string heading;
    std::optional<std::string> note;
    Table table;
};

struct Report {
    std::string key;       // stable (e.g. "assignments")
    std::string title;     // e.g. "Device assignments"
    std::string subtitle;  // the period and the cradle
    std::int64_t generated_at_utc = 0;
    std::vector<Section> sections;
};

}  // namespace cradle::reports
