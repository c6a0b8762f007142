// SPDX-License-Identifier: Apache-2.0
#include "common/log.hpp"

#include <cstdio>

namespace cradle {

std::string format_log_line(const LogFields& fields, const std::string& message) {
    std::string line;
    if (fields.bay > 0) line += "bay " + std::to_string(fields.bay) + " ";
    if (!fields.device_serial.empty()) line += fields.device_serial + " ";
    if (fields.recording_id > 0) line += "recording " + std::to_string(fields.recording_id) + " ";
    if (!line.empty()) {
        line.back() = ':';
        line += ' ';
    }
    return line + message;
}

Log::Log()
    : sink_([](LogLevel level, const LogFields& fields, const std::string& message) {
          static constexpr const char* kPrefix[] = {"debug", "info", "notice", "warning", "error"};
          std::fprintf(stderr, "cradled[%s] %s\n", kPrefix[static_cast<int>(level)],
                       format_log_line(fields, message).c_str());
      }) {}

}  // namespace cradle
