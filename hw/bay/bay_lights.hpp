// SPDX-License-Identifier: Apache-2.0
// The light of one bay through the Linux LED class (/sys/class/leds/<name>/): steady colours
// by brightness, blinking by the "timer" trigger. A bay has a red, a green and an amber LED;
// without an amber one, amber is red and green lit together (a bi-colour LED).
#pragma once

#include "hw/bay/bay_log.hpp"
#include "hw/cradle.hpp"

#include <chrono>
#include <filesystem>
#include <string>

namespace cradle::hw::bay {

struct BayLightNames {
    std::string red;  // LED class names; empty when the bay has no such LED
    std::string green;
    std::string amber;
};

class BayLights {
  public:
    // Half a blink period: on this long, then off this long.
    static constexpr std::chrono::milliseconds blink_half_period{500};

    BayLights(std::filesystem::path leds_dir, int bay, BayLightNames names, LogSink log);

    // Never throws: an LED that cannot be set is logged and the others are still set.
    void show(BayLight light);

  private:
    enum class Mode { off, on, blink };
    void set(const std::string& led, Mode mode);
    void write(const std::string& led, const char* attribute, const std::string& value);

    std::filesystem::path leds_dir_;
    int bay_;
    BayLightNames names_;
    LogSink log_;
};

}  // namespace cradle::hw::bay
