// SPDX-License-Identifier: Apache-2.0
// What the PTP driver needs from a link to a camera: the bulk pipes, the interrupt pipe and
// the class requests of the USB Still Image class. Implemented over libusb (hw/usb) and, for
// tests and the emulated cradle, directly over an emulated camera (sim/).
#pragma once

#include "hw/camera_driver.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace cradle::hw::ptp {

enum class Endpoint { bulk_in, bulk_out, interrupt_in };

// The device stalled an endpoint. The transaction engine clears the halt and recovers.
class EndpointStall : public DeviceError {
  public:
    explicit EndpointStall(Endpoint endpoint)
        : DeviceError(Kind::io, "endpoint stalled"), endpoint_(endpoint) {}
    Endpoint endpoint() const noexcept { return endpoint_; }

  private:
    Endpoint endpoint_;
};

// All calls throw DeviceError: gone (unplugged, ENODEV), timeout (deadline passed), io; or
// EndpointStall.
class PtpTransport {
  public:
    virtual ~PtpTransport() = default;

    // One bulk-out transfer; the transport ends it with a zero-length packet when its length
    // is a multiple of the endpoint's packet size.
    virtual void bulk_out(std::span<const std::byte> data, Deadline deadline) = 0;
    // One bulk-in transfer: fills `buffer` until a short packet (or a zero-length packet) ends
    // the transfer or the buffer is full. Returns the bytes received.
    virtual std::size_t bulk_in(std::span<std::byte> buffer, Deadline deadline) = 0;
    // One interrupt-in transfer (an event container or part of one). Returns 0 if nothing came
    // before the deadline (no event pending is not an error).
    virtual std::size_t interrupt_in(std::span<std::byte> buffer, Deadline deadline) = 0;
    virtual std::size_t max_packet_size() const = 0;
    virtual void clear_halt(Endpoint endpoint, Deadline deadline) = 0;
    // Class requests: Cancel (0x64) of a transaction, Device Reset (0x66), Get Device Status
    // (0x67: the response code, then the endpoints still halted).
    virtual void cancel_transaction(std::uint32_t transaction_id, Deadline deadline) = 0;
    virtual void reset_device(Deadline deadline) = 0;
    virtual std::vector<std::uint16_t> device_status(Deadline deadline) = 0;
};

}  // namespace cradle::hw::ptp
