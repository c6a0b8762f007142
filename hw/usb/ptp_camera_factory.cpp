// SPDX-License-Identifier: Apache-2.0
// Kept apart from usb_cradle.cpp so that what links the cradle alone (tests with their own
// factory) does not need the PTP driver.
#include "hw/ptp/ptp_camera.hpp"
#include "hw/usb/usb_cradle.hpp"

namespace cradle::hw::usb {

CameraFactory ptp_camera_factory() {
    return [](std::unique_ptr<ptp::PtpTransport> transport, const ptp::PtpQuirks& quirks) {
        return std::make_shared<ptp::PtpCamera>(std::move(transport), quirks);
    };
}

}  // namespace cradle::hw::usb
