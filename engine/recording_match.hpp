// SPDX-License-Identifier: Apache-2.0
// How the bay matches what a camera lists: against another listing, and against the catalog.
// None of this is identity (see RecordingKey): a match only says which archived recordings an
// object may be, and only its bytes prove which one it is (I1).
#pragma once

#include "core/catalog/catalog.hpp"
#include "hw/camera_driver.hpp"

#include <cstdint>

namespace cradle {

// The catalog's key of an object `info` listed by the camera of device `device_id`.
RecordingKey recording_key(std::int64_t device_id, const hw::RecordingInfo& info);

// Whether two listings of one camera show a recording with the same name, size and capture
// time, under any handle (a camera may renumber its objects).
bool shows_same_recording(const hw::RecordingInfo& a, const hw::RecordingInfo& b);

// Whether two sightings show the same object: the same handle, showing the same recording.
bool same_object(const hw::RecordingInfo& a, const hw::RecordingInfo& b);

// Whether an object the camera lists may be the catalogued recording `recording` of the same
// device: the same name and capture time, and the same size unless the camera cannot tell it
// (the catalog keeps what arrived). Catalog::archived_lookalikes asks the catalog the same.
bool may_be_recording(const hw::RecordingInfo& seen, const RecordingKey& recording);

}  // namespace cradle
