// SPDX-License-Identifier: Apache-2.0
// cradlectl's command lines: the words, split into options, their values and the rest by
// read_command_line (common/command_line.hpp), turned into an Invocation, each option's value
// checked in the order given; what each command takes is checked in arguments.cpp.
#include "cradlectl/command_line.hpp"

#include "common/command_line.hpp"

#include <algorithm>
#include <charconv>
#include <map>
#include <string_view>

namespace cradle::ctl {
namespace {

constexpr std::string_view kValueOptions[] = {"--bus",  "--state-dir", "--serial",     "--from",
                                              "--to",   "--limit",     "--custodian",  "--officer",
                                              "--head", "--reason",    "-o",           "--output",
                                              "--date", "--format",    "--public-key", "--anchor"};
constexpr std::string_view kFlags[] = {"--json", "--watch", "--until-idle", "--wait",
                                       "--confidential"};

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
            {"--from", &invocation.from_text},
            {"--to", &invocation.to_text},
            {"--date", &invocation.date},
            {"--format", &invocation.format},
            {"--custodian", &invocation.custodian},
            {"--officer", &invocation.officer},
            {"--head", &invocation.head},
            {"--reason", &invocation.reason},
            {"--public-key", &invocation.public_key},
            {"--anchor", &invocation.anchor}};
        *texts.at(name) = value;
    }
    return std::nullopt;
}

void set_flag(Invocation& invocation, const std::string& name) {
    if (name == "--json") invocation.json = true;
    if (name == "--watch") invocation.watch = true;
    if (name == "--until-idle") invocation.until_idle = true;
    if (name == "--wait") invocation.wait = true;
    if (name == "--confidential") invocation.confidential = true;
}

}  // namespace

std::variant<Invocation, std::string> parse_invocation(int argc, char** argv) {
    OptionNames names;
    names.with_value.assign(std::begin(kValueOptions), std::end(kValueOptions));
    names.flags.assign(std::begin(kFlags), std::end(kFlags));
    names.flags.insert(names.flags.end(), {"-h", "--help", "--version"});
    auto read = read_command_line(std::vector<std::string>(argv + 1, argv + argc), names);
    if (auto* error = std::get_if<std::string>(&read)) return std::move(*error);
    const CommandLine& line = std::get<CommandLine>(read);

    Invocation invocation;
    std::vector<std::string> options_given;
    bool bus_given = false;
    // Each option as given, in order: the same option twice is a mistake, not an override.
    for (const GivenOption& option : line.options) {
        const std::string& name = option.name;
        if (name == "-h" || name == "--help") {
            invocation.help = true;
            continue;
        }
        if (name == "--version") {
            invocation.version = true;
            continue;
        }
        if (std::find(options_given.begin(), options_given.end(), name) != options_given.end()) {
            return name + " given twice";
        }
        options_given.push_back(name);
        if (std::find(std::begin(kFlags), std::end(kFlags), name) != std::end(kFlags)) {
            set_flag(invocation, name);
            continue;
        }
        if (auto error = apply_value(invocation, name, option.value, bus_given)) return *error;
    }
    if (!line.words.empty()) {
        invocation.command = line.words.front();
        invocation.operands.assign(line.words.begin() + 1, line.words.end());
    }
    if (invocation.help || invocation.version) return invocation;
    if (auto error = check_invocation(invocation, options_given, bus_given)) return *error;
    return invocation;
}

std::variant<BaysInvocation, std::string> parse_bays_invocation(int argc, char** argv) {
    OptionNames names;
    names.with_value = {"--bays", "--config", "-o", "--timeout", "--leds"};
    names.flags = {"-h", "--help"};
    auto read = read_command_line(std::vector<std::string>(argv, argv + argc), names);
    if (auto* error = std::get_if<std::string>(&read)) return std::move(*error);
    const CommandLine& line = std::get<CommandLine>(read);

    BaysInvocation invocation;
    std::map<std::string, std::string> last;  // given twice, the last one counts
    for (const GivenOption& option : line.options) {
        if (option.name == "-h" || option.name == "--help") {
            invocation.help = true;
            return invocation;
        }
        last[option.name] = option.value;
    }
    if (line.words.empty()) return std::string("no subcommand given");
    if (line.words.front() != "learn") return "unknown subcommand " + line.words.front();
    if (line.words.size() > 1) return "unexpected argument " + line.words[1];
    auto given = [&last](const char* name) -> const std::string* {
        const auto found = last.find(name);
        return found == last.end() ? nullptr : &found->second;
    };
    if (!given("--bays")) return std::string("--bays N is required");
    int number = 0;
    if (!parse_whole_number(*given("--bays"), number) || number < 1 || number > 64) {
        return std::string("--bays must be 1..64");
    }
    invocation.options.bays = number;
    if (const std::string* timeout = given("--timeout")) {
        if (!parse_whole_number(*timeout, number) || number < 1 || number > 86'400) {
            return std::string("--timeout must be 1..86400 seconds");
        }
        invocation.options.timeout_per_bay = std::chrono::seconds(number);
    }
    if (const std::string* config = given("--config")) invocation.config_file = *config;
    if (const std::string* output = given("-o")) invocation.output = *output;
    if (const std::string* leds = given("--leds")) invocation.options.led_pattern = *leds;
    return invocation;
}

}  // namespace cradle::ctl
