// SPDX-License-Identifier: Apache-2.0
#include "core/config/toml_reader.hpp"

#include "common/read_file.hpp"

namespace cradle::config_file {
namespace {

namespace fs = std::filesystem;

// A configuration file is a few kilobytes; anything this large is not one, and reading it
// whole could exhaust memory.
constexpr std::size_t max_config_file_bytes = 16u << 20;

}  // namespace

// A FIFO put where the file should be is refused at once: it must not hang the daemon's start.
std::string read_config_file(const fs::path& file) {
    try {
        return read_whole_file(file, max_config_file_bytes);
    } catch (const ReadFileError& error) {
        throw ConfigError(error.what());
    }
}

fs::path resolve(const fs::path& base_dir, const std::string& value) {
    const fs::path path(value);
    if (path.is_absolute()) return path.lexically_normal();
    return (base_dir / path).lexically_normal();
}

const char* describe(toml::node_type type) {
    switch (type) {
        case toml::node_type::string:
            return "a string";
        case toml::node_type::integer:
            return "an integer";
        case toml::node_type::floating_point:
            return "a floating-point number";
        case toml::node_type::boolean:
            return "a boolean";
        case toml::node_type::table:
            return "a table";
        case toml::node_type::array:
            return "an array";
        case toml::node_type::date:
            return "a date";
        case toml::node_type::time:
            return "a time";
        case toml::node_type::date_time:
            return "a date-time";
        case toml::node_type::none:
            break;
    }
    return "nothing";
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            row[j] =
                std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

toml::table parse_toml(std::string_view text, const std::string& source_name) {
    try {
        return toml::parse(text, std::string_view(source_name));
    } catch (const toml::parse_error& error) {
        std::ostringstream message;
        message << source_name << ':' << error.source().begin.line << ':'
                << error.source().begin.column << ": " << error.description();
        throw ConfigError(message.str());
    }
}
}  // namespace cradle::config_file
