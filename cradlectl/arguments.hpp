// SPDX-License-Identifier: Apache-2.0
// cradlectl's command line: the command, its operands and options, checked against what each
// command takes (arguments.cpp); the words are read with CLI11 (command_line.cpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace cradle::ctl {

// Which recordings to list: all of them by default.
struct RecordingFilter {
    std::string serial;              // "" for every device
    std::int64_t captured_from = 0;  // Unix seconds, inclusive; 0 = open
    std::int64_t captured_to = 0;    // Unix seconds, inclusive; 0 = open
    std::uint32_t limit = 0;         // at most this many, the newest kept; 0 = all
};

struct Invocation {
    std::string command;                   // "status", "devices", ...; "" with --help
    std::vector<std::string> operands;     // e.g. the serial of `device SERIAL`
    std::optional<std::string> state_dir;  // offline mode
    std::string bus_address;               // "" = the system bus
    bool json = false;
    bool help = false;
    bool version = false;
    bool watch = false;
    bool until_idle = false;
    bool wait = false;
    bool confidential = false;  // mark, unmark
    RecordingFilter filter;
    std::optional<std::string> custodian;
    std::optional<std::string> officer;
    std::optional<std::string> head;
    std::optional<std::string> reason;  // retire, identity rotate, export recording, mark
    std::optional<std::string> output;  // export, report -o FILE ("" or "-" = standard output)
    // --from and --to as given: times of recordings and history (parsed into `filter`), whole
    // local days of report assignments (report_request.hpp).
    std::optional<std::string> from_text;
    std::optional<std::string> to_text;
    std::optional<std::string> date;        // report dock --date DAY
    std::optional<std::string> format;      // report --format pdf|csv|json
    std::optional<std::string> public_key;  // verify --public-key FILE (PEM)
    std::optional<std::string> anchor;      // verify --anchor FILE ("-": standard input)
};

// The invocation, or the message of a usage error (the words are read in command_line.cpp).
std::variant<Invocation, std::string> parse_invocation(int argc, char** argv);

// What each command takes, checked once the words are read: the command and its operands, the
// options given (by name, in the order given; --bus and --state-dir go with every command),
// the times of --from and --to (into invocation.filter), and what goes together. bus_given:
// --bus was given. The message of a usage error, or nullopt.
std::optional<std::string> check_invocation(Invocation& invocation,
                                            const std::vector<std::string>& options_given,
                                            bool bus_given);

// A time of --from or --to: "2024-05-01" (the start of that day, UTC; with end_of_day, its
// last second), "2024-05-01T10:00:00Z" (seconds and Z optional; always UTC), or "@1714557600".
std::optional<std::int64_t> parse_time_argument(const std::string& text, bool end_of_day);

}  // namespace cradle::ctl
