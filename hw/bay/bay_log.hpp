// SPDX-License-Identifier: Apache-2.0
// Where the hardware layer reports what it cannot act on (a light that cannot be set, a port
// that cannot be switched, a device nobody claims). The daemon routes it into its own log; the
// hardware layer never stops for it.
#pragma once

#include <functional>
#include <string>

namespace cradle::hw::bay {

enum class LogLevel { info, warning, error };

// bay is 0 when the message is not about one bay.
using LogSink = std::function<void(LogLevel level, int bay, const std::string& message)>;

// One line per message on standard error.
LogSink stderr_log();

}  // namespace cradle::hw::bay
