// SPDX-License-Identifier: Apache-2.0
#include "hw/camera_driver.hpp"
#include "hw/cradle.hpp"

namespace cradle::hw {

const char* to_string(DeviceError::Kind kind) noexcept {
    switch (kind) {
        case DeviceError::Kind::gone:
            return "device gone";
        case DeviceError::Kind::timeout:
            return "device timeout";
        case DeviceError::Kind::protocol:
            return "protocol error";
        case DeviceError::Kind::io:
            return "device I/O error";
        case DeviceError::Kind::refused:
            return "refused by device";
    }
    return "unknown";
}

const char* to_string(BayLight light) noexcept {
    switch (light) {
        case BayLight::off:
            return "off";
        case BayLight::working:
            return "amber-blinking";
        case BayLight::ready:
            return "green";
        case BayLight::not_ready:
            return "green-blinking";
        case BayLight::needs_custodian:
            return "red";
    }
    return "unknown";
}

}  // namespace cradle::hw
