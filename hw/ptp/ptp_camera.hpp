// SPDX-License-Identifier: Apache-2.0
// The PTP camera driver: hw::CameraDriver over a PtpSession. Chosen by the device table for
// USB interface class 6 (Still Image) and for the VID:PIDs listed with driver "ptp".
#pragma once

#include "hw/camera_driver.hpp"
#include "hw/ptp/datasets.hpp"
#include "hw/ptp/session.hpp"
#include "hw/ptp/transport.hpp"

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

namespace cradle::hw::ptp {

// Per-model behaviour, from the device table's quirks.
struct PtpQuirks {
    // Read recordings with GetPartialObject in pieces of this size (resumable by offset).
    std::uint32_t partial_object_bytes = 1 << 20;
    // Use Android's GetPartialObject64 (0x95C1) for offsets beyond 4 GiB when supported.
    bool partial_object_64 = true;
    // The camera's clock is kept in this zone (seconds east of UTC) when its DateTime carries
    // no zone suffix; the cradle sets it in the same zone.
    std::int64_t local_offset_s = 0;
    // How many object handles the driver accepts from GetObjectHandles.
    std::size_t max_objects = 100'000;
    // Events drained (and ignored) before each listing: bounded, so that a camera sending
    // events without end cannot hold up its bay.
    std::size_t max_events_per_listing = 64;
};

// What the driver reports from PTP:
// - identity: DeviceInfo (manufacturer, model, serial number, device version as firmware), and
//   the officer ID from the standard property Artist (0x501E) when DeviceInfo lists it. PTP has
//   no property of its own for the wearer; body cameras that speak PTP keep the officer ID in
//   Artist. The value is trimmed; one that is empty, longer than kMaxOfficerIdBytes, holds
//   control characters or broken UTF-16, does not parse, or is refused gives "" (the dock goes
//   on without it). Only a camera that is gone or stops answering fails identify.
// - health: BatteryLevel (0 when the camera does not report it), the sum of every storage's
//   capacity and free space; charging is assumed, a docked camera is on its charger.
// - recordings: every object that is not a folder, named by its ObjectInfo filename; a capture
//   date (or else modification date) that does not parse gives capture time 0 rather than
//   failing the offload. An object of 4 GiB or more (ObjectCompressedSize 0xFFFFFFFF) takes its
//   size from MTP ObjectSize (0xDC04). A camera that cannot tell it (no GetObjectPropValue, or
//   it refuses) lists the object with size_known = false and, as size, the MaxCapacity of the
//   storage that holds it (StorageInfo): no object can be larger.
// - reading: GetPartialObject in pieces (GetPartialObject64 beyond 4 GiB). An object of unknown
//   size is read with one GetObject whose data phase runs across successive read() calls at
//   successive offsets, to its end (a container length, or a short packet when the length is
//   0xFFFFFFFF); read() returns 0 once it ended and the camera answered OK. More data than
//   the listed bound is a protocol error. A read at offset 0 starts the GetObject again; a
//   read at any other offset than where the data phase is fails with DeviceError(io), never
//   handing out bytes of another offset. Any other operation in between cancels the data
//   phase, so that only a read from offset 0 goes on after it.
// Every DeviceError keeps its kind: a response other than OK is io (refused for write
// protection and denied access), malformed or out-of-bounds data is protocol.
inline constexpr std::size_t kMaxOfficerIdBytes = 64;

class PtpCamera final : public CameraDriver {
  public:
    PtpCamera(std::unique_ptr<PtpTransport> transport, PtpQuirks quirks = {});
    ~PtpCamera() override;

    DeviceIdentity identify(Deadline deadline) override;
    DeviceHealth health(Deadline deadline) override;
    std::chrono::system_clock::time_point clock(Deadline deadline) override;
    void set_clock(std::chrono::system_clock::time_point now, Deadline deadline) override;
    std::vector<RecordingInfo> list_recordings(std::size_t max_count, Deadline deadline) override;
    std::size_t read(std::uint32_t handle, std::uint64_t offset, std::span<std::byte> out,
                     Deadline deadline) override;
    void remove(std::uint32_t handle, Deadline deadline) override;

  private:
    void ensure_open(Deadline deadline);
    DeviceInfo fetch_device_info(Deadline deadline);
    std::string fetch_officer_id(Deadline deadline);
    std::vector<std::uint32_t> object_handles(std::size_t limit, Deadline deadline);
    // What the listing knows of an object's size.
    struct ObjectSize {
        std::uint64_t size = 0;
        bool known = true;
    };
    ObjectSize object_size(std::uint32_t handle, const ObjectInfo& info,
                           std::map<std::uint32_t, std::uint64_t>& capacities, Deadline deadline);
    std::size_t read_streamed(std::uint32_t handle, std::uint64_t bound, std::uint64_t offset,
                              std::span<std::byte> out, Deadline deadline);
    void drain_events(Deadline deadline);

    std::unique_ptr<PtpTransport> transport_;
    PtpSession session_;
    PtpQuirks quirks_;
    std::optional<DeviceInfo> device_info_;
    // Sizes learned at listing time (a 4 GiB-or-more object's size comes from ObjectSize).
    std::map<std::uint32_t, ObjectSize> sizes_;
    // Where the GetObject of an object of unknown size is (see read_streamed).
    struct ObjectStream {
        std::uint32_t handle = 0;
        std::uint64_t position = 0;
        bool ended = false;
    };
    std::optional<ObjectStream> object_stream_;
    std::vector<std::byte> transfer_buffer_;  // bulk-in transfers of streamed data phases
};

}  // namespace cradle::hw::ptp
