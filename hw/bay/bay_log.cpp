// SPDX-License-Identifier: Apache-2.0
#include "hw/bay/bay_log.hpp"

#include <cstdio>

namespace cradle::hw::bay {

LogSink stderr_log() {
    return [](LogLevel level, int bay, const std::string& message) {
        static constexpr const char* kLevel[] = {"info", "warning", "error"};
        if (bay > 0)
            std::fprintf(stderr, "cradle[%s] bay %d: %s\n", kLevel[static_cast<int>(level)], bay,
                         message.c_str());
        else
            std::fprintf(stderr, "cradle[%s] %s\n", kLevel[static_cast<int>(level)],
                         message.c_str());
    };
}

}  // namespace cradle::hw::bay
