// SPDX-License-Identifier: Apache-2.0
// cradlectl's command lines, read with CLI11: it splits the words into options, their values
// and the rest (--name=value, "--" before words that are not options); this file turns what
// it read into an Invocation, checking each option's value in the order given, and leaves what
// each command takes to arguments.cpp. CLI11's own help and messages are not used: the usage
// texts are the project's, and so are the messages of usage errors. This is the one file that
// includes CLI11 (a large header), to keep the build fast.
#include "cradlectl/command_line.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <charconv>
#include <map>
#include <string_view>

namespace cradle::ctl {
namespace {

constexpr std::string_view kValueOptions[] = {
    "--bus",     "--state-dir", "--serial", "--from", "--to",     "--limit", "--custodian",
    "--officer", "--head",      "--reason", "-o",     "--output", "--date",  "--format"};
constexpr std::string_view kFlags[] = {"--json", "--watch", "--until-idle", "--wait"};

// "--serial" of "--serial=BWC-1": an option as the messages name it.
std::string option_name(const std::string& word) {
    if (word.starts_with("--")) return word.substr(0, word.find('='));
    return word;
}

template <typename Number>
bool parse_whole_number(const std::string& text, Number& value) {
    if (text.empty() ||
        !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return false;
    }
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    return error == std::errc{} && end == text.data() + text.size();
}

// One option's value into the invocation; the message of a usage error.
std::optional<std::string> apply_value(Invocation& invocation, const std::string& name,
                                       const std::string& value, bool& bus_given) {
    if (name == "--bus") {
        if (value.empty()) return "--bus needs a D-Bus address, or \"system\"";
        bus_given = true;
        invocation.bus_address = value == "system" ? "" : value;
    } else if (name == "--state-dir") {
        if (value.empty()) return "--state-dir needs a directory";
        invocation.state_dir = value;
    } else if (name == "--serial") {
        if (value.empty()) return "--serial needs a serial number";
        invocation.filter.serial = value;
    } else if (name == "--limit") {
        std::uint32_t limit = 0;
        if (!parse_whole_number(value, limit) || limit == 0) {
            return "--limit needs a whole number from 1 to 4294967295";
        }
        invocation.filter.limit = limit;
    } else if (name == "-o" || name == "--output") {
        if (invocation.output) return std::string("-o and --output are the same option");
        invocation.output = value;
    } else {
        const std::map<std::string_view, std::optional<std::string>*> texts = {
            {"--from", &invocation.from_text},      {"--to", &invocation.to_text},
            {"--date", &invocation.date},           {"--format", &invocation.format},
            {"--custodian", &invocation.custodian}, {"--officer", &invocation.officer},
            {"--head", &invocation.head},           {"--reason", &invocation.reason}};
        *texts.at(name) = value;
    }
    return std::nullopt;
}

void set_flag(Invocation& invocation, const std::string& name) {
    if (name == "--json") invocation.json = true;
    if (name == "--watch") invocation.watch = true;
    if (name == "--until-idle") invocation.until_idle = true;
    if (name == "--wait") invocation.wait = true;
}

}  // namespace

std::variant<Invocation, std::string> parse_invocation(int argc, char** argv) {
    CLI::App app;
    app.set_help_flag();
    app.allow_extras();  // unknown options are said in the project's words, below
    for (std::string_view name : kValueOptions) {
        app.add_option(std::string(name))->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    }
    for (std::string_view name : kFlags) app.add_flag(std::string(name));
    CLI::Option* help = app.add_flag("-h,--help");
    CLI::Option* version = app.add_flag("--version");
    std::vector<std::string> words;
    CLI::Option* words_option = app.add_option("words", words);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ArgumentMismatch&) {
        // An option's value is taken whatever it looks like: only the last word can lack one.
        return option_name(argv[argc - 1]) + " needs a value";
    } catch (const CLI::ParseError& error) {
        return std::string(error.what());
    }
    for (const std::string& word : app.remaining()) {
        if (word != "--") return "unknown option " + option_name(word);
    }

    Invocation invocation;
    invocation.help = help->count() > 0;
    invocation.version = version->count() > 0;
    std::vector<std::string> options_given;
    std::map<const CLI::Option*, std::size_t> occurrences;
    bool bus_given = false;
    // Each option as given, in order: the same option twice is a mistake, not an override.
    for (const CLI::Option* option : app.parse_order()) {
        if (option == words_option || option == help || option == version) continue;
        const std::string name = option->get_name();
        const std::string& value = option->results().at(occurrences[option]++);
        if (std::find(options_given.begin(), options_given.end(), name) != options_given.end()) {
            return name + " given twice";
        }
        options_given.push_back(name);
        if (std::find(std::begin(kFlags), std::end(kFlags), name) != std::end(kFlags)) {
            // A flag given a value (--json=yes): CLI11 keeps the value; a flag has none.
            if (value != "true") return name + " takes no value";
            set_flag(invocation, name);
            continue;
        }
        if (auto error = apply_value(invocation, name, value, bus_given)) return *error;
    }
    if (!words.empty()) {
        invocation.command = words.front();
        invocation.operands.assign(words.begin() + 1, words.end());
    }
    if (invocation.help || invocation.version) return invocation;
    if (auto error = check_invocation(invocation, options_given, bus_given)) return *error;
    return invocation;
}

std::variant<BaysInvocation, std::string> parse_bays_invocation(int argc, char** argv) {
    BaysInvocation invocation;
    CLI::App app;
    app.set_help_flag();
    app.allow_extras();  // unknown options are said in the project's words, below
    CLI::Option* help = app.add_flag("-h,--help");
    // Given twice, the last one counts.
    auto option = [&app](const char* name) {
        return app.add_option(name)->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    };
    CLI::Option* bays = option("--bays");
    CLI::Option* config = option("--config");
    CLI::Option* output = option("-o");
    CLI::Option* timeout = option("--timeout");
    CLI::Option* leds = option("--leds");
    std::vector<std::string> words;
    app.add_option("subcommand", words);
    std::vector<std::string> arguments(argv, argv + argc);
    std::reverse(arguments.begin(), arguments.end());  // CLI11 reads a vector from its end
    try {
        app.parse(arguments);
    } catch (const CLI::ArgumentMismatch&) {
        return option_name(argv[argc - 1]) + " needs a value";
    } catch (const CLI::ParseError& error) {
        return std::string(error.what());
    }
    if (help->count() > 0) {
        invocation.help = true;
        return invocation;
    }
    if (words.empty()) return std::string("no subcommand given");
    if (words.front() != "learn") return "unknown subcommand " + words.front();
    for (const std::string& word : app.remaining()) {
        if (word != "--") return "unknown option " + option_name(word);
    }
    if (words.size() > 1) return "unexpected argument " + words[1];
    auto last = [](const CLI::Option* given) { return given->results().back(); };
    if (bays->count() == 0) return std::string("--bays N is required");
    int number = 0;
    if (!parse_whole_number(last(bays), number) || number < 1 || number > 64) {
        return std::string("--bays must be 1..64");
    }
    invocation.options.bays = number;
    if (timeout->count() > 0) {
        if (!parse_whole_number(last(timeout), number) || number < 1 || number > 86'400) {
            return std::string("--timeout must be 1..86400 seconds");
        }
        invocation.options.timeout_per_bay = std::chrono::seconds(number);
    }
    if (config->count() > 0) invocation.config_file = last(config);
    if (output->count() > 0) invocation.output = last(output);
    if (leds->count() > 0) invocation.options.led_pattern = last(leds);
    return invocation;
}

}  // namespace cradle::ctl
