// SPDX-License-Identifier: Apache-2.0
// Reading a hand-written TOML file so that every mistake gets a message that points at its
// place: "<file>:<line>:<column>: <key path>: <problem>". Unknown keys are errors, so that a typo
// cannot silently leave a default in force. Used by the configuration loader and by the
// emulated cradle's file (sim/cradle_file.hpp); it brings toml++ with it, so only those include
// it.
#pragma once

#include "common/utf8.hpp"
#include "core/config/config.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <initializer_list>
#include <iomanip>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace cradle::config_file {

// The whole file, refusing anything but a regular file of at most 16 MiB (a FIFO does not
// hang the caller). Throws ConfigError naming the file.
std::string read_config_file(const std::filesystem::path& file);
// A path given in a file: relative to the file's directory (base_dir).
std::filesystem::path resolve(const std::filesystem::path& base_dir, const std::string& value);
// "a string", "an integer", ... for messages.
const char* describe(toml::node_type type);
// Levenshtein distance, for "did you mean" suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b);
// Parses text; a syntax error becomes a ConfigError "<source>:<line>:<column>: <problem>".
toml::table parse_toml(std::string_view text, const std::string& source_name);

// One TOML table of a configuration file, read key by key. Knows its key path (for messages)
// and the keys it may hold; any other key is reported as soon as the reader is made.
class TableReader {
  public:
    TableReader(const toml::table& table, std::string path, const std::string& source,
                std::initializer_list<std::string_view> known_keys)
        : table_(table), path_(std::move(path)), source_(source), known_(known_keys) {
        for (auto&& [key, node] : table_) {
            (void)node;
            if (std::find(known_.begin(), known_.end(), key.str()) != known_.end()) continue;
            std::string problem = "unknown key";
            if (const auto suggestion = nearest_known(key.str()))
                problem += " (did you mean '" + *suggestion + "'?)";
            fail(key.source(), key_path(key.str()), problem);
        }
    }

    const std::string& path() const { return path_; }
    const std::string& source() const { return source_; }
    const toml::table& table() const { return table_; }

    std::string key_path(std::string_view key) const {
        return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
    }

    const toml::node* find(std::string_view key) const { return table_.get(key); }

    [[noreturn]] void fail(const toml::source_region& where, std::string_view key_path,
                           std::string_view problem) const {
        std::ostringstream message;
        message << source_ << ':' << where.begin.line << ':' << where.begin.column << ": "
                << key_path << ": " << problem;
        throw ConfigError(message.str());
    }
    [[noreturn]] void fail_at(std::string_view key, std::string_view problem) const {
        const toml::node* node = find(key);
        fail(node != nullptr ? node->source() : table_.source(), key_path(key), problem);
    }
    [[noreturn]] void fail_missing(std::string_view key) const {
        fail(table_.source(), key_path(key), "missing (required)");
    }

    const toml::node* expect(std::string_view key, toml::node_type type,
                             std::string_view expected) const {
        const toml::node* node = find(key);
        if (node == nullptr) return nullptr;
        if (node->type() != type)
            fail_at(key, "expected " + std::string(expected) + ", got " + describe(node->type()));
        return node;
    }

    std::optional<std::int64_t> optional_integer(std::string_view key, std::int64_t min,
                                                 std::int64_t max) const {
        const toml::node* node = expect(key, toml::node_type::integer, "an integer");
        if (node == nullptr) return std::nullopt;
        const std::int64_t value = node->as_integer()->get();
        if (value < min || value > max)
            fail_at(key, std::to_string(value) + " is out of range (" + std::to_string(min) + ".." +
                             std::to_string(max) + ")");
        return value;
    }
    std::int64_t integer(std::string_view key, std::int64_t min, std::int64_t max,
                         std::int64_t default_value) const {
        return optional_integer(key, min, max).value_or(default_value);
    }

    // Integers and floating-point numbers alike (sizes given in MiB or GiB).
    std::optional<double> optional_number(std::string_view key, double min, double max) const {
        const toml::node* node = find(key);
        if (node == nullptr) return std::nullopt;
        double value = 0;
        if (const auto* integer = node->as_integer())
            value = static_cast<double>(integer->get());
        else if (const auto* floating = node->as_floating_point())
            value = floating->get();
        else
            fail_at(key, std::string("expected a number, got ") + describe(node->type()));
        // Written so that NaN fails it too.
        if (!(value >= min && value <= max)) {
            std::ostringstream problem;
            problem << std::setprecision(12) << value << " is out of range (" << min << ".." << max
                    << ")";
            fail_at(key, problem.str());
        }
        return value;
    }

    std::optional<std::string> optional_string(std::string_view key) const {
        const toml::node* node = expect(key, toml::node_type::string, "a string");
        if (node == nullptr) return std::nullopt;
        return node->as_string()->get();
    }
    std::string required_string(std::string_view key) const {
        auto value = optional_string(key);
        if (!value) fail_missing(key);
        return *value;
    }

    bool boolean(std::string_view key, bool default_value) const {
        const toml::node* node = expect(key, toml::node_type::boolean, "a boolean");
        return node == nullptr ? default_value : node->as_boolean()->get();
    }

    // A string that must be one of `choices`; returns its index.
    std::optional<std::size_t> optional_choice(
        std::string_view key, std::initializer_list<std::string_view> choices) const {
        const auto value = optional_string(key);
        if (!value) return std::nullopt;
        std::size_t index = 0;
        std::string listed;
        for (const std::string_view choice : choices) {
            if (*value == choice) return index;
            listed += (index == 0 ? "\"" : ", \"") + std::string(choice) + "\"";
            ++index;
        }
        fail_at(key, quoted(*value) + " is not one of " + listed);
    }

    const toml::table* optional_table(std::string_view key) const {
        const toml::node* node = expect(key, toml::node_type::table, "a table");
        return node != nullptr ? node->as_table() : nullptr;
    }

    // [[key]] tables; an empty list when the key is absent.
    std::vector<const toml::table*> array_of_tables(std::string_view key) const {
        std::vector<const toml::table*> tables;
        const toml::node* node = find(key);
        if (node == nullptr) return tables;
        const std::string expected = "an array of tables ([[" + std::string(key) + "]])";
        const toml::array* array = node->as_array();
        if (array == nullptr)
            fail_at(key, "expected " + expected + ", got " + describe(node->type()));
        for (std::size_t i = 0; i < array->size(); ++i) {
            const toml::node& element = *array->get(i);
            if (!element.is_table())
                fail(element.source(), element_path(key, i),
                     "expected " + expected + ", got " + describe(element.type()));
            tables.push_back(element.as_table());
        }
        return tables;
    }

    std::string element_path(std::string_view key, std::size_t index) const {
        return key_path(key) + "[" + std::to_string(index) + "]";
    }

    // In double quotes, escaped as in TOML, so that an invisible character shows.
    static std::string quoted(std::string_view text) {
        std::string out = "\"";
        for (const char c : text) {
            const auto byte = static_cast<unsigned char>(c);
            if (c == '"' || c == '\\') {
                out += '\\';
                out += c;
            } else if (byte < 0x20 || byte == 0x7F) {
                char escape[8];
                std::snprintf(escape, sizeof escape, "\\u%04X", byte);
                out += escape;
            } else {
                out += c;
            }
        }
        return out + "\"";
    }

  private:
    std::optional<std::string> nearest_known(std::string_view key) const {
        std::optional<std::string> best;
        std::size_t best_distance = 3;  // further than two edits is not a typo
        for (const std::string_view known : known_) {
            const std::size_t distance = edit_distance(key, known);
            if (distance < best_distance) {
                best_distance = distance;
                best = std::string(known);
            }
        }
        return best;
    }

    const toml::table& table_;
    std::string path_;
    const std::string& source_;
    std::vector<std::string_view> known_;
};

}  // namespace cradle::config_file
