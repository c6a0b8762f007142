// SPDX-License-Identifier: Apache-2.0
#include "service/systemd/journal_fields.hpp"

namespace cradle {

int journal_priority(LogLevel level) noexcept {
    switch (level) {
        case LogLevel::debug:
            return 7;
        case LogLevel::info:
            return 6;
        case LogLevel::notice:
            return 5;
        case LogLevel::warning:
            return 4;
        case LogLevel::error:
            return 3;
    }
    return 6;
}

std::vector<std::string> journal_fields(LogLevel level, const LogFields& fields,
                                        const std::string& message) {
    std::vector<std::string> result;
    result.reserve(6);
    result.push_back("MESSAGE=" + format_log_line(fields, message));
    result.push_back("PRIORITY=" + std::to_string(journal_priority(level)));
    result.push_back("SYSLOG_IDENTIFIER=cradled");
    if (fields.bay > 0) result.push_back("BAY=" + std::to_string(fields.bay));
    if (!fields.device_serial.empty()) result.push_back("DEVICE_SERIAL=" + fields.device_serial);
    if (fields.recording_id > 0)
        result.push_back("RECORDING_ID=" + std::to_string(fields.recording_id));
    return result;
}

}  // namespace cradle
