// SPDX-License-Identifier: Apache-2.0
#include "core/archive/recording_proof.hpp"

#include "common/sha256.hpp"

#include <algorithm>
#include <vector>

namespace cradle {

CameraBytes hash_on_camera(hw::CameraDriver& camera, const hw::RecordingInfo& info,
                           const CopyOptions& options) {
    std::vector<std::byte> buffer(std::max<std::size_t>(options.chunk_bytes, 1));
    Sha256 sha;
    // One byte more than declared (or than the bound of an object of unknown size), so that a
    // longer object is noticed without reading it all.
    const std::uint64_t limit = info.size + 1;
    std::uint64_t offset = 0;
    while (offset < limit) {
        if (options.cancel != nullptr && options.cancel->load()) {
            throw ArchiveError(ArchiveError::Kind::cancelled,
                               "reading stopped: the service is stopping");
        }
        const std::size_t want =
            static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), limit - offset));
        const std::size_t got = camera.read(info.handle, offset, std::span(buffer).first(want),
                                            hw::SteadyClock::now() + options.device_timeout);
        if (got > want) {
            throw hw::DeviceError(hw::DeviceError::Kind::protocol,
                                  "device reported " + std::to_string(got) +
                                      " bytes read into a buffer of " + std::to_string(want));
        }
        if (got == 0) break;
        sha.update(std::span<const std::byte>(buffer).first(got));
        offset += got;
        if (options.progress != nullptr) {
            options.progress->fetch_add(got, std::memory_order_relaxed);
        }
    }
    CameraBytes bytes;
    bytes.sha256_hex = sha.hex_digest();
    bytes.size = offset;
    // An object of unknown size ends where the camera says it does, within its bound.
    bytes.complete =
        info.size_known ? offset == info.size : offset <= info.size && offset >= info.size_at_least;
    return bytes;
}

}  // namespace cradle
