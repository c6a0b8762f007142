// SPDX-License-Identifier: Apache-2.0
// Which function runs which command: the table main.cpp dispatches through, in either mode.
#include "cradlectl/commands.hpp"

#include <string_view>
#include <utility>

namespace cradle::ctl {

Command find_command(const std::string& name) {
    static constexpr std::pair<std::string_view, Command> kCommands[] = {
        {"status", status_command},   {"devices", devices_command},
        {"device", device_command},   {"recordings", recordings_command},
        {"verify", verify_command},   {"identity", identity_command},
        {"history", history_command}, {"register", register_command},
        {"assign", assign_command},   {"retire", retire_command},
        {"import", import_command},   {"export", export_command},
        {"report", report_command},   {"rebuild-catalog", rebuild_catalog_command},
        {"mark", mark_command},       {"unmark", mark_command},
    };
    for (const auto& [command_name, command] : kCommands) {
        if (command_name == name) return command;
    }
    return nullptr;
}

}  // namespace cradle::ctl
