// SPDX-License-Identifier: Apache-2.0
#include "engine/recording_match.hpp"

namespace cradle {

RecordingKey recording_key(std::int64_t device_id, const hw::RecordingInfo& info) {
    return RecordingKey{device_id, info.handle, info.name, info.size, info.captured_unix_s};
}

bool shows_same_recording(const hw::RecordingInfo& a, const hw::RecordingInfo& b) {
    return a.name == b.name && a.size == b.size && a.captured_unix_s == b.captured_unix_s;
}

bool same_object(const hw::RecordingInfo& a, const hw::RecordingInfo& b) {
    return a.handle == b.handle && shows_same_recording(a, b);
}

bool may_be_recording(const hw::RecordingInfo& seen, const RecordingKey& recording) {
    return seen.name == recording.name && (!seen.size_known || seen.size == recording.size) &&
           seen.captured_unix_s == recording.captured_unix_s;
}

}  // namespace cradle
