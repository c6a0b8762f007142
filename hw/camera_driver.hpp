// SPDX-License-Identifier: Apache-2.0
// The one interface the daemon uses to talk to a docked camera, whatever its protocol.
//
// Everything a driver returns comes from the device and is untrusted: names may hold any
// bytes, sizes and counts may lie. Drivers bound what they can (a list never exceeds the
// caller's max_count); the daemon validates the rest.
//
// Threading: a driver is used by one bay session at a time, from worker threads, one call at a
// time. Only disconnect-style notifications from the cradle may arrive concurrently.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace cradle::hw {

using SteadyClock = std::chrono::steady_clock;
// Every device operation finishes (or fails with DeviceError::Kind::timeout) by its deadline.
using Deadline = SteadyClock::time_point;

class DeviceError : public std::runtime_error {
  public:
    enum class Kind {
        gone,      // the device was unplugged or powered off
        timeout,   // the device did not answer before the deadline
        protocol,  // the device answered something invalid or out of bounds
        io,        // the device reported a failure (storage error, busy beyond the deadline)
        refused,   // the device refused the operation (e.g. write-protected object)
    };
    DeviceError(Kind kind, const std::string& what) : std::runtime_error(what), kind_(kind) {}
    Kind kind() const noexcept { return kind_; }

  private:
    Kind kind_;
};

const char* to_string(DeviceError::Kind kind) noexcept;

struct DeviceIdentity {
    std::string manufacturer;
    std::string model;
    std::string serial;
    std::string firmware;
    std::string officer_id;  // empty when the camera does not report one
};

struct DeviceHealth {
    int battery_percent = 0;  // 0..100
    bool charging = false;
    std::vector<std::string> faults;  // empty when the camera reports none
    std::uint64_t storage_total_bytes = 0;
    std::uint64_t storage_free_bytes = 0;
};

struct RecordingInfo {
    std::uint32_t handle = 0;
    std::string name;                  // raw bytes as the device reported them
    std::uint64_t size = 0;            // as declared by the device; see size_known
    std::int64_t captured_unix_s = 0;  // camera-side capture time, by the camera's own clock
    // False when the device cannot tell the size (a PTP object of 4 GiB or more on a camera
    // without ObjectSize). `size` is then the most bytes the recording can have (the capacity
    // of the storage holding it), and read() returns 0 once the recording's data has ended.
    bool size_known = true;
    // When size_known is false: the fewest bytes the recording can have (PTP's "4 GiB or more"
    // is 0xFFFFFFFF). One delivered shorter was cut short by the camera: it is archived as it
    // came, and never wiped.
    std::uint64_t size_at_least = 0;
};

class CameraDriver {
  public:
    virtual ~CameraDriver() = default;

    virtual DeviceIdentity identify(Deadline deadline) = 0;
    virtual DeviceHealth health(Deadline deadline) = 0;
    virtual std::chrono::system_clock::time_point clock(Deadline deadline) = 0;
    virtual void set_clock(std::chrono::system_clock::time_point now, Deadline deadline) = 0;
    // Throws DeviceError(protocol) when the device holds more than max_count recordings.
    virtual std::vector<RecordingInfo> list_recordings(std::size_t max_count,
                                                       Deadline deadline) = 0;
    // Reads up to out.size() bytes of one recording starting at offset. Returns the number of
    // bytes read; 0 means the recording ends at offset (as far as the device says). A driver
    // that can only stream a recording (size_known false) may fail a read at another offset than
    // where its stream is with DeviceError; it never returns bytes of another offset.
    virtual std::size_t read(std::uint32_t handle, std::uint64_t offset, std::span<std::byte> out,
                             Deadline deadline) = 0;
    virtual void remove(std::uint32_t handle, Deadline deadline) = 0;
};

}  // namespace cradle::hw
