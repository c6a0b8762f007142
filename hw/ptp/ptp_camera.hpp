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
//   failing the offload.
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
    std::uint64_t object_size(std::uint32_t handle, const ObjectInfo& info, Deadline deadline);
    void drain_events(Deadline deadline);

    std::unique_ptr<PtpTransport> transport_;
    PtpSession session_;
    PtpQuirks quirks_;
    std::optional<DeviceInfo> device_info_;
    // Sizes learned at listing time (a 4 GiB-or-more object's size comes from ObjectSize).
    std::map<std::uint32_t, std::uint64_t> sizes_;
    std::vector<std::byte> transfer_buffer_;  // bulk-in transfers of streamed data phases
};

}  // namespace cradle::hw::ptp
