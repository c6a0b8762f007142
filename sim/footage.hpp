// SPDX-License-Identifier: Apache-2.0
// Deterministic footage of an emulated camera: which recordings it holds (names, sizes,
// camera-side capture times) and their bytes, all derived from CameraSpec::seed alone. Nothing
// depends on the current time, so every run of a test or benchmark sees the same footage.
//
// The bytes are a pure function of (recording, offset): an MP4-like header (an `ftyp` box and
// the start of an `mdat` box) followed by counter-based pseudo-random words. Any range can be
// produced without producing what comes before it, fast enough to fill gigabytes.
#pragma once

#include "sim/spec.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace cradle::hw::sim {

struct PlannedRecording {
    std::string name;  // raw bytes, as the camera reports them
    std::uint64_t size = 0;
    std::int64_t captured_unix_s = 0;  // by the camera's own clock
    std::uint64_t content_key = 0;     // selects the pseudo-random stream of the bytes
};

// spec.recordings recordings whose sizes vary around the mean and add up to spec.total_bytes,
// in capture order; with spec.faults.hostile_names, a few small recordings with hostile names
// follow. Throws std::invalid_argument for a negative recording count.
std::vector<PlannedRecording> plan_footage(const CameraSpec& spec);

// Fills out with the recording's bytes starting at offset; bytes past the recording's size are
// left untouched (callers bound the range).
void footage_bytes(const PlannedRecording& recording, std::uint64_t offset,
                   std::span<std::byte> out);

}  // namespace cradle::hw::sim
