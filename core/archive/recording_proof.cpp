// SPDX-License-Identifier: Apache-2.0
#include "core/archive/recording_proof.hpp"

#include "common/sha256.hpp"
#include "core/archive/camera_reader.hpp"

#include <algorithm>
#include <vector>

namespace cradle {

CameraBytes hash_on_camera(hw::CameraDriver& camera, const hw::RecordingInfo& info,
                           const CopyOptions& options) {
    std::vector<std::byte> buffer(std::max<std::size_t>(options.chunk_bytes, 1));
    Sha256 sha;
    // One byte more than declared (or than the bound of an object of unknown size), so that a
    // longer object is noticed without reading it all.
    CameraReader reader(camera, info, info.size + 1, options,
                        "reading stopped: the service is stopping");
    while (const std::size_t got = reader.next(buffer)) {
        sha.update(std::span<const std::byte>(buffer).first(got));
        if (options.progress != nullptr) {
            options.progress->fetch_add(got, std::memory_order_relaxed);
        }
    }
    const std::uint64_t offset = reader.offset();
    CameraBytes bytes;
    bytes.sha256_hex = sha.hex_digest();
    bytes.size = offset;
    // An object of unknown size ends where the camera says it does, within its bound.
    bytes.complete =
        info.size_known ? offset == info.size : offset <= info.size && offset >= info.size_at_least;
    return bytes;
}

}  // namespace cradle
