// SPDX-License-Identifier: Apache-2.0
#include "common/command_line.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <map>

namespace cradle {
namespace {

// "--config" of "--config=FILE": an option as the messages name it.
std::string option_name(const std::string& word) {
    if (word.starts_with("--")) return word.substr(0, word.find('='));
    return word;
}

}  // namespace

std::variant<CommandLine, std::string> read_command_line(const std::vector<std::string>& words,
                                                         const OptionNames& names) {
    CLI::App app;
    app.set_help_flag();  // "-h" and "--help" are the caller's flags like any other
    app.allow_extras();   // unknown options are said below, in the project's words
    for (const std::string& name : names.with_value) {
        app.add_option(name)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    }
    for (const std::string& name : names.flags) app.add_flag(name);
    std::vector<std::string> rest;
    CLI::Option* rest_option = app.add_option("words", rest);

    std::vector<std::string> reversed(words.rbegin(), words.rend());  // CLI11 reads from the end
    try {
        app.parse(reversed);
    } catch (const CLI::ArgumentMismatch&) {
        // A value is taken whatever it looks like: only the last word can lack one.
        return option_name(words.back()) + " needs a value";
    } catch (const CLI::ParseError& error) {
        return std::string(error.what());
    }
    for (const std::string& word : app.remaining()) {
        if (word != "--") return "unknown option " + option_name(word);
    }

    CommandLine line;
    std::map<const CLI::Option*, std::size_t> occurrences;
    for (const CLI::Option* option : app.parse_order()) {
        if (option == rest_option) continue;
        std::string name = option->get_name();
        std::string value = option->results().at(occurrences[option]++);
        if (std::find(names.flags.begin(), names.flags.end(), name) != names.flags.end()) {
            // A flag given a value (--json=yes): CLI11 keeps the value; a flag has none.
            if (value != "true") return name + " takes no value";
            value.clear();
        }
        line.options.push_back({std::move(name), std::move(value)});
    }
    line.words = std::move(rest);
    return line;
}

}  // namespace cradle
