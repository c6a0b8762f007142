// SPDX-License-Identifier: Apache-2.0
#include "hw/bay/bay_lights.hpp"

#include "hw/bay/sysfs_attribute.hpp"

#include <charconv>
#include <utility>

namespace cradle::hw::bay {

BayLights::BayLights(std::filesystem::path leds_dir, int bay, BayLightNames names, LogSink log)
    : leds_dir_(std::move(leds_dir)), bay_(bay), names_(std::move(names)), log_(std::move(log)) {}

void BayLights::show(BayLight light) {
    Mode red = Mode::off;
    Mode green = Mode::off;
    Mode amber = Mode::off;
    switch (light) {
        case BayLight::off:
            break;
        case BayLight::working:
            amber = Mode::blink;
            break;
        case BayLight::ready:
            green = Mode::on;
            break;
        case BayLight::not_ready:
            green = Mode::blink;
            break;
        case BayLight::needs_custodian:
            red = Mode::on;
            break;
    }
    if (names_.amber.empty() && amber != Mode::off) {
        red = amber;
        green = amber;
    }
    set(names_.red, red);
    set(names_.green, green);
    set(names_.amber, amber);
}

void BayLights::set(const std::string& led, Mode mode) {
    if (led.empty()) return;
    switch (mode) {
        case Mode::off:
            // Setting the trigger first stops a blink; brightness 0 then turns the LED off.
            write(led, "trigger", "none");
            write(led, "brightness", "0");
            break;
        case Mode::on: {
            // Full brightness is what the LED declares as its maximum (1 for a GPIO LED).
            std::string brightness = "1";
            if (const auto max = read_attribute(leds_dir_ / led / "max_brightness")) {
                int value = 0;
                const auto [end, error] =
                    std::from_chars(max->data(), max->data() + max->size(), value);
                if (error == std::errc() && end == max->data() + max->size() && value > 0)
                    brightness = std::to_string(value);
            }
            write(led, "trigger", "none");
            write(led, "brightness", brightness);
            break;
        }
        case Mode::blink: {
            // The timer trigger creates delay_on and delay_off when it is selected.
            const std::string half = std::to_string(blink_half_period.count());
            write(led, "trigger", "timer");
            // The kernel makes those two files owned by root, out of reach of udev rules: they
            // are written only when they do not already hold the bays' blink (the kernel's
            // default of 500 ms each is the same), so that the service needs no privilege.
            for (const char* delay : {"delay_on", "delay_off"}) {
                if (read_attribute(leds_dir_ / led / delay) != half) write(led, delay, half);
            }
            break;
        }
    }
}

void BayLights::write(const std::string& led, const char* attribute, const std::string& value) {
    const std::filesystem::path file = leds_dir_ / led / attribute;
    const std::string error = write_attribute(file, value);
    if (!error.empty() && log_)
        log_(LogLevel::warning, bay_,
             "cannot set light " + led + " (" + file.string() + " = " + value + "): " + error);
}

}  // namespace cradle::hw::bay
