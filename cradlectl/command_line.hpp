// SPDX-License-Identifier: Apache-2.0
// cradlectl's command lines (command_line.cpp, over common/command_line.hpp):
// the words of `cradlectl ...` into an Invocation (arguments.hpp), and those of
// `cradlectl bays ...` into what bay learning needs. The usage texts are the project's own, and
// so are the messages of usage errors.
#pragma once

#include "cradlectl/arguments.hpp"
#include "cradlectl/bay_learning.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <variant>

namespace cradle::ctl {

struct BaysInvocation {
    bool help = false;  // -h or --help: show the usage of `bays`
    LearnOptions options;
    std::filesystem::path config_file = "/etc/cradled/cradled.toml";
    std::optional<std::filesystem::path> output;  // -o FILE; none: standard output
};

// argv after "bays": the invocation, or the message of a usage error.
std::variant<BaysInvocation, std::string> parse_bays_invocation(int argc, char** argv);

}  // namespace cradle::ctl
