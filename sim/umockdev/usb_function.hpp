// SPDX-License-Identifier: Apache-2.0
// The device side of an emulated USB Still Image (PTP) function, as the usbfs emulation drives
// it: what the camera does with each transfer on its three endpoints and with the class
// requests. PtpResponder is the production model behind it (see emulated_usb_cameras.hpp);
// tests may put a scripted device behind it instead.
//
// Calls come from the emulated device's own thread while other threads may unplug the device,
// so an implementation must be thread-safe. A call may block (a hung camera); it holds up only
// this device.
#pragma once

#include "hw/ptp/transport.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace cradle::hw::sim::usb {

class UsbPtpFunction {
  public:
    virtual ~UsbPtpFunction() = default;

    // One bulk-out transfer. Throws DeviceError(gone) when the device went away meanwhile (the
    // emulation then unplugs it), ptp::EndpointStall for a stall (the URB ends with -EPIPE),
    // DeviceError(timeout) when the device did not answer (the URB stays pending); other
    // errors end the URB with -EPROTO. The IN calls report errors the same way.
    virtual void bulk_out(std::span<const std::byte> data) = 0;
    // The next bulk-in / interrupt-in transfer of at most max_bytes; nullopt while the device
    // has nothing to send (the transfer stays pending, as on a real bus).
    virtual std::optional<std::vector<std::byte>> bulk_in(std::size_t max_bytes) = 0;
    virtual std::optional<std::vector<std::byte>> interrupt_in(std::size_t max_bytes) = 0;

    virtual bool halted(ptp::Endpoint endpoint) const = 0;
    virtual void clear_halt(ptp::Endpoint endpoint) = 0;
    // Class requests: Cancel, Device Reset, Get Device Status (response code, then the
    // endpoint addresses still halted).
    virtual void cancel(std::uint32_t transaction_id) = 0;
    virtual void reset() = 0;
    virtual std::vector<std::uint16_t> status() const = 0;
};

// What the host reads in the device's descriptors and sysfs attributes.
struct UsbIdentity {
    std::uint16_t vendor_id = 0x1209;  // pid.codes
    std::uint16_t product_id = 0x0001;
    std::uint16_t device_release = 0x0100;
    std::string manufacturer;
    std::string product;
    std::string serial;
    std::uint16_t max_packet_size = 512;  // bulk endpoints, high speed
};

// Endpoint addresses of the emulated Still Image interface.
inline constexpr std::uint8_t kBulkInAddress = 0x81;
inline constexpr std::uint8_t kBulkOutAddress = 0x02;
inline constexpr std::uint8_t kInterruptInAddress = 0x83;
inline constexpr std::uint16_t kInterruptMaxPacketSize = 64;

}  // namespace cradle::hw::sim::usb
