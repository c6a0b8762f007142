// SPDX-License-Identifier: Apache-2.0
#include "core/archive/camera_reader.hpp"

#include <algorithm>
#include <string>

namespace cradle {

CameraReader::CameraReader(hw::CameraDriver& camera, const hw::RecordingInfo& info,
                           std::uint64_t limit, const CopyOptions& options, const char* stopped)
    : camera_(camera), info_(info), limit_(limit), options_(options), stopped_(stopped) {}

std::size_t CameraReader::next(std::span<std::byte> buffer) {
    if (offset_ >= limit_) {
        return 0;
    }
    if (options_.cancel != nullptr && options_.cancel->load()) {
        throw ArchiveError(ArchiveError::Kind::cancelled, stopped_);
    }
    const std::size_t want =
        static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), limit_ - offset_));
    const std::size_t got = camera_.read(info_.handle, offset_, buffer.first(want),
                                         hw::SteadyClock::now() + options_.device_timeout);
    if (got > want) {
        throw hw::DeviceError(hw::DeviceError::Kind::protocol,
                              "device reported " + std::to_string(got) +
                                  " bytes read into a buffer of " + std::to_string(want));
    }
    offset_ += got;
    return got;
}

}  // namespace cradle
