// SPDX-License-Identifier: Apache-2.0
// A program's words split into options, their values and the rest, with CLI11 (a large
// header, included by command_line.cpp alone so that the build stays fast). cradled and
// cradlectl read their command lines with it and check each value themselves; their usage
// texts and the messages of usage errors are their own.
#pragma once

#include <string>
#include <variant>
#include <vector>

namespace cradle {

struct OptionNames {
    std::vector<std::string> with_value;  // "--config", "-o": each takes one value
    std::vector<std::string> flags;       // "--json", "-h": each takes none
};

struct GivenOption {
    std::string name;   // as declared ("--config" also for "--config=FILE")
    std::string value;  // empty for a flag
};

struct CommandLine {
    std::vector<GivenOption> options;  // in the order given, each occurrence
    std::vector<std::string> words;    // what is not an option, in order ("--" ends options)
};

// The words after the program's name. A value is taken whatever it looks like ("--from -1"),
// "--name=value" and "-ovalue" are accepted. Returns the message of a usage error: an option
// without its value ("--config needs a value"), an option not declared ("unknown option
// --x"), a flag given a value ("--json takes no value").
std::variant<CommandLine, std::string> read_command_line(const std::vector<std::string>& words,
                                                         const OptionNames& names);

}  // namespace cradle
