// SPDX-License-Identifier: Apache-2.0
// hw::ptp::PtpTransport over libusb: the bulk and interrupt pipes of a camera's Still Image
// interface, and its class requests, through libusb's synchronous API. Each call's libusb
// timeout is what is left until its deadline.
#pragma once

#include "hw/ptp/transport.hpp"
#include "hw/usb/libusb_handles.hpp"

#include <chrono>
#include <memory>
#include <optional>

namespace cradle::hw::usb {

// Where a camera's PTP pipes are.
struct StillImageInterface {
    std::uint8_t interface_number = 0;
    std::uint8_t alternate_setting = 0;
    std::uint8_t bulk_in = 0;  // endpoint addresses
    std::uint8_t bulk_out = 0;
    std::uint8_t interrupt_in = 0;  // 0 when the interface has none (events are then never seen)
    std::uint16_t max_packet_size = 0;      // of the bulk-in endpoint
    std::uint16_t out_max_packet_size = 0;  // of the bulk-out endpoint (ends transfers by ZLP)
};

// The first interface of class 6 with a bulk-in and a bulk-out endpoint. With any_class, an
// interface of another class with the same endpoints will do when there is no class-6 one
// (MTP devices that declare a vendor class; the device table names them by VID:PID).
std::optional<StillImageInterface> find_still_image_interface(
    const libusb_config_descriptor& config, bool any_class = false);

// The libusb timeout (milliseconds, never 0, which libusb reads as "forever") for a transfer
// that must end by `deadline`; nothing when the deadline has passed.
std::optional<unsigned> transfer_timeout_ms(Deadline deadline,
                                            SteadyClock::time_point now = SteadyClock::now());

// The DeviceError for a failed libusb transfer on `endpoint`: PIPE is an EndpointStall,
// NO_DEVICE is gone, TIMEOUT is timeout, OVERFLOW (the device sent more than asked) is a
// protocol error, anything else io.
[[noreturn]] void throw_transfer_error(int code, ptp::Endpoint endpoint, const char* what);
// The same for a class request on the control pipe (a stall there is a refused request).
[[noreturn]] void throw_control_error(int code, const char* what);

// The answer to Get Device Status (u16 length, u16 response code, then u32 parameters naming
// halted endpoints) as the response code followed by the endpoint addresses. Throws
// DeviceError(protocol) when the length field is short or disagrees with the bytes received.
std::vector<std::uint16_t> parse_device_status(std::span<const std::byte> data);

class UsbPtpTransport final : public ptp::PtpTransport {
  public:
    // Opens the device and claims its Still Image interface. Throws UsbError when it cannot
    // (no such interface, access denied, claimed by another program).
    UsbPtpTransport(std::shared_ptr<LibusbContext> context, libusb_device* device,
                    bool any_class = false);
    ~UsbPtpTransport() override;

    void bulk_out(std::span<const std::byte> data, Deadline deadline) override;
    std::size_t bulk_in(std::span<std::byte> buffer, Deadline deadline) override;
    std::size_t interrupt_in(std::span<std::byte> buffer, Deadline deadline) override;
    std::size_t max_packet_size() const override { return interface_.max_packet_size; }
    void clear_halt(ptp::Endpoint endpoint, Deadline deadline) override;
    void cancel_transaction(std::uint32_t transaction_id, Deadline deadline) override;
    void reset_device(Deadline deadline) override;
    std::vector<std::uint16_t> device_status(Deadline deadline) override;

    const StillImageInterface& interface() const { return interface_; }

  private:
    std::uint8_t address_of(ptp::Endpoint endpoint) const;

    // Declared in the order they must be released: interface, then handle, then context.
    std::shared_ptr<LibusbContext> context_;
    StillImageInterface interface_;
    std::unique_ptr<DeviceHandle> handle_;
    std::unique_ptr<ClaimedInterface> claim_;
};

}  // namespace cradle::hw::usb
