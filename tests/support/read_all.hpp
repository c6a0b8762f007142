// SPDX-License-Identifier: Apache-2.0
// A whole recording read through a camera driver in chunks of a given size, each read with ten
// seconds to answer: for the tests that compare what a driver delivers with what the emulated
// camera stores.
#pragma once

#include "hw/camera_driver.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace cradle::test {

inline std::string read_all(hw::CameraDriver& camera, std::uint32_t handle,
                            std::size_t chunk = 1 << 16) {
    std::string content;
    std::vector<std::byte> buffer(chunk);
    for (;;) {
        const std::size_t got = camera.read(handle, content.size(), buffer,
                                            hw::SteadyClock::now() + std::chrono::seconds(10));
        if (got == 0) return content;
        content.append(reinterpret_cast<const char*>(buffer.data()), got);
    }
}

}  // namespace cradle::test
