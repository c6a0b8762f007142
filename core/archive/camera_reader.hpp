// SPDX-License-Identifier: Apache-2.0
// One recording read from the camera from its start, piece by piece, never past a limit: the
// read shared by the copy into the archive (archive_store.cpp) and the proof read before a wipe
// (recording_proof.cpp).
#pragma once

#include "core/archive/archive_store.hpp"
#include "hw/camera_driver.hpp"

#include <cstddef>
#include <cstdint>
#include <span>

namespace cradle {

class CameraReader {
  public:
    // Reads recording `info` up to `limit` bytes with options.cancel and options.device_timeout;
    // `stopped` is the message of the ArchiveError(cancelled) thrown when options.cancel is true.
    CameraReader(hw::CameraDriver& camera, const hw::RecordingInfo& info, std::uint64_t limit,
                 const CopyOptions& options, const char* stopped);

    // The next piece, at most buffer.size() bytes, written to the front of `buffer`; 0 once
    // `limit` bytes have been read or the recording ends. Throws ArchiveError(cancelled) when
    // options.cancel is true, and hw::DeviceError for a device failure or a device that reports
    // more bytes than it was asked for.
    std::size_t next(std::span<std::byte> buffer);

    // Bytes read so far.
    std::uint64_t offset() const { return offset_; }

  private:
    hw::CameraDriver& camera_;
    const hw::RecordingInfo& info_;
    const std::uint64_t limit_;
    const CopyOptions& options_;
    const char* stopped_;
    std::uint64_t offset_ = 0;
};

}  // namespace cradle
