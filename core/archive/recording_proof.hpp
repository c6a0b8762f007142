// SPDX-License-Identifier: Apache-2.0
// What a camera object's bytes hash to, read from the camera now: the proof I1 asks for before
// a recording archived at an earlier dock may be deleted (docs/architecture.md, "The life of a
// recording"). The bytes go nowhere but into the hash.
#pragma once

#include "core/archive/archive_store.hpp"
#include "hw/camera_driver.hpp"

#include <cstdint>
#include <string>

namespace cradle {

struct CameraBytes {
    std::string sha256_hex;
    std::uint64_t size = 0;  // bytes the camera delivered
    // Whether the camera delivered exactly what it declared (an object of unknown size: ended
    // within its bounds, hw::RecordingInfo::size_known and size_at_least). A hash of anything
    // else proves nothing that allows a wipe.
    bool complete = false;
};

// Reads the whole object `info` from the camera in options.chunk_bytes pieces, each with
// options.device_timeout, and hashes it. Never reads more than one byte past the declared size
// (or bound). Throws hw::DeviceError for device failures and ArchiveError(cancelled) when
// options.cancel turns true; adds the bytes read to options.progress when set.
CameraBytes hash_on_camera(hw::CameraDriver& camera, const hw::RecordingInfo& info,
                           const CopyOptions& options);

}  // namespace cradle
