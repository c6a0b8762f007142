// SPDX-License-Identifier: Apache-2.0
// The daemon's log. Each line carries structured fields (BAY=, DEVICE_SERIAL=, RECORDING_ID=)
// so that a custodian can follow one bay, one camera or one recording.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace cradle {

enum class LogLevel { debug, info, notice, warning, error };

struct LogFields {
    int bay = 0;                    // 0 = not about one bay
    std::string device_serial;      // sanitised
    std::int64_t recording_id = 0;  // 0 = not about one recording
};

class Log {
  public:
    using Sink = std::function<void(LogLevel, const LogFields&, const std::string&)>;
    // The default sink writes one line per message to standard error.
    Log();
    explicit Log(Sink sink) : sink_(std::move(sink)) {}
    void operator()(LogLevel level, const LogFields& fields, const std::string& message) const {
        sink_(level, fields, message);
    }
    void info(const LogFields& fields, const std::string& message) const {
        sink_(LogLevel::info, fields, message);
    }
    void warning(const LogFields& fields, const std::string& message) const {
        sink_(LogLevel::warning, fields, message);
    }
    void error(const LogFields& fields, const std::string& message) const {
        sink_(LogLevel::error, fields, message);
    }

  private:
    Sink sink_;
};

// "bay 3 BWC-0003 recording 17: message" (only the fields that are set).
std::string format_log_line(const LogFields& fields, const std::string& message);

}  // namespace cradle
