// SPDX-License-Identifier: Apache-2.0
#include "hw/usb/usb_ptp_transport.hpp"

#include <algorithm>
#include <array>
#include <climits>
#include <string>

namespace cradle::hw::usb {
namespace {

// Still Image class requests (USB Still Image Capture Device Definition, 5.2).
constexpr std::uint8_t request_cancel = 0x64;
constexpr std::uint8_t request_device_reset = 0x66;
constexpr std::uint8_t request_get_device_status = 0x67;
// bmRequestType: class request to the interface, host to device (0x21) or back (0xA1).
constexpr std::uint8_t class_interface_out = 0x21;
constexpr std::uint8_t class_interface_in = 0xA1;
constexpr std::uint16_t cancel_code = 0x4001;
// A status names at most a few endpoints; this bounds what is read from the device.
constexpr std::size_t device_status_bytes = 64;

const char* endpoint_name(ptp::Endpoint endpoint) {
    switch (endpoint) {
        case ptp::Endpoint::bulk_in:
            return "bulk-in";
        case ptp::Endpoint::bulk_out:
            return "bulk-out";
        case ptp::Endpoint::interrupt_in:
            return "interrupt-in";
    }
    return "endpoint";
}

std::string failure(const char* what, int code) {
    return std::string(what) + ": " + describe_libusb_error(code);
}

std::uint16_t read_u16(std::span<const std::byte> data, std::size_t at) {
    return static_cast<std::uint16_t>(std::to_integer<unsigned>(data[at]) |
                                      (std::to_integer<unsigned>(data[at + 1]) << 8));
}

unsigned timeout_or_throw(Deadline deadline, const char* what) {
    const auto timeout = transfer_timeout_ms(deadline);
    if (!timeout)
        throw DeviceError(DeviceError::Kind::timeout,
                          std::string(what) + ": the deadline passed before it started");
    return *timeout;
}

}  // namespace

std::optional<StillImageInterface> find_still_image_interface(
    const libusb_config_descriptor& config, bool any_class) {
    std::optional<StillImageInterface> other_class;
    for (int i = 0; i < config.bNumInterfaces; ++i) {
        const libusb_interface& interface = config.interface[i];
        for (int a = 0; a < interface.num_altsetting; ++a) {
            const libusb_interface_descriptor& setting = interface.altsetting[a];
            StillImageInterface found;
            found.interface_number = setting.bInterfaceNumber;
            found.alternate_setting = setting.bAlternateSetting;
            for (int e = 0; e < setting.bNumEndpoints; ++e) {
                const libusb_endpoint_descriptor& endpoint = setting.endpoint[e];
                const auto type = endpoint.bmAttributes & LIBUSB_TRANSFER_TYPE_MASK;
                const bool in =
                    (endpoint.bEndpointAddress & LIBUSB_ENDPOINT_DIR_MASK) == LIBUSB_ENDPOINT_IN;
                if (type == LIBUSB_TRANSFER_TYPE_BULK && in && found.bulk_in == 0) {
                    found.bulk_in = endpoint.bEndpointAddress;
                    // Bits 11-12 are extra transactions per microframe, not packet size.
                    found.max_packet_size = endpoint.wMaxPacketSize & 0x7FF;
                } else if (type == LIBUSB_TRANSFER_TYPE_BULK && !in && found.bulk_out == 0) {
                    found.bulk_out = endpoint.bEndpointAddress;
                    found.out_max_packet_size = endpoint.wMaxPacketSize & 0x7FF;
                } else if (type == LIBUSB_TRANSFER_TYPE_INTERRUPT && in &&
                           found.interrupt_in == 0) {
                    found.interrupt_in = endpoint.bEndpointAddress;
                }
            }
            if (found.bulk_in == 0 || found.bulk_out == 0 || found.max_packet_size == 0 ||
                found.out_max_packet_size == 0)
                continue;
            if (setting.bInterfaceClass == LIBUSB_CLASS_IMAGE) return found;
            if (any_class && !other_class) other_class = found;
        }
    }
    return other_class;
}

std::optional<unsigned> transfer_timeout_ms(Deadline deadline, SteadyClock::time_point now) {
    if (now >= deadline) return std::nullopt;
    // Rounded up, so that a transfer never gives up before its deadline.
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - now).count();
    return static_cast<unsigned>(std::clamp<long long>(left, 1, INT_MAX));
}

void throw_transfer_error(int code, ptp::Endpoint endpoint, const char* what) {
    const std::string where = std::string(what) + " on the " + endpoint_name(endpoint) + " pipe";
    switch (code) {
        case LIBUSB_ERROR_PIPE:
            throw ptp::EndpointStall(endpoint);
        case LIBUSB_ERROR_NO_DEVICE:
            throw DeviceError(DeviceError::Kind::gone, failure(where.c_str(), code));
        case LIBUSB_ERROR_TIMEOUT:
            throw DeviceError(DeviceError::Kind::timeout, failure(where.c_str(), code));
        case LIBUSB_ERROR_OVERFLOW:
            throw DeviceError(DeviceError::Kind::protocol,
                              where + ": the device sent more than was asked for");
        default:
            throw DeviceError(DeviceError::Kind::io, failure(where.c_str(), code));
    }
}

void throw_control_error(int code, const char* what) {
    switch (code) {
        case LIBUSB_ERROR_NO_DEVICE:
            throw DeviceError(DeviceError::Kind::gone, failure(what, code));
        case LIBUSB_ERROR_TIMEOUT:
            throw DeviceError(DeviceError::Kind::timeout, failure(what, code));
        case LIBUSB_ERROR_PIPE:
            throw DeviceError(DeviceError::Kind::refused,
                              std::string(what) + ": the device refused the request");
        default:
            throw DeviceError(DeviceError::Kind::io, failure(what, code));
    }
}

std::vector<std::uint16_t> parse_device_status(std::span<const std::byte> data) {
    if (data.size() < 4)
        throw DeviceError(DeviceError::Kind::protocol,
                          "device status: " + std::to_string(data.size()) + " bytes, need 4");
    const std::size_t length = read_u16(data, 0);
    if (length < 4 || length > data.size() || (length - 4) % 4 != 0)
        throw DeviceError(DeviceError::Kind::protocol,
                          "device status: length field " + std::to_string(length) + " with " +
                              std::to_string(data.size()) + " bytes received");
    std::vector<std::uint16_t> status{read_u16(data, 2)};
    for (std::size_t at = 4; at < length; at += 4) status.push_back(read_u16(data, at));
    return status;
}

UsbPtpTransport::UsbPtpTransport(std::shared_ptr<LibusbContext> context, libusb_device* device,
                                 bool any_class)
    : context_(std::move(context)) {
    {
        const ConfigDescriptor config(device);
        const auto found = find_still_image_interface(config.get(), any_class);
        if (!found)
            throw UsbError("the device has no Still Image interface with bulk endpoints",
                           LIBUSB_ERROR_NOT_FOUND);
        interface_ = *found;
    }
    handle_ = std::make_unique<DeviceHandle>(device);
    claim_ = std::make_unique<ClaimedInterface>(handle_->get(), interface_.interface_number);
    if (interface_.alternate_setting != 0) {
        const int rc = libusb_set_interface_alt_setting(handle_->get(), interface_.interface_number,
                                                        interface_.alternate_setting);
        if (rc != LIBUSB_SUCCESS) throw UsbError("cannot select the alternate setting", rc);
    }
}

UsbPtpTransport::~UsbPtpTransport() {
    claim_.reset();
    handle_.reset();
}

std::uint8_t UsbPtpTransport::address_of(ptp::Endpoint endpoint) const {
    switch (endpoint) {
        case ptp::Endpoint::bulk_in:
            return interface_.bulk_in;
        case ptp::Endpoint::bulk_out:
            return interface_.bulk_out;
        case ptp::Endpoint::interrupt_in:
            return interface_.interrupt_in;
    }
    return 0;
}

void UsbPtpTransport::bulk_out(std::span<const std::byte> data, Deadline deadline) {
    // libusb never writes through an OUT buffer; its API is not const-correct.
    auto* bytes = reinterpret_cast<unsigned char*>(const_cast<std::byte*>(data.data()));
    unsigned char nothing = 0;
    if (!data.empty()) {
        if (data.size() > INT_MAX)
            throw DeviceError(DeviceError::Kind::io, "bulk-out: transfer larger than 2 GiB");
        int sent = 0;
        const int rc = libusb_bulk_transfer(handle_->get(), interface_.bulk_out, bytes,
                                            static_cast<int>(data.size()), &sent,
                                            timeout_or_throw(deadline, "bulk-out"));
        if (rc != LIBUSB_SUCCESS) throw_transfer_error(rc, ptp::Endpoint::bulk_out, "bulk-out");
        if (static_cast<std::size_t>(sent) != data.size())
            throw DeviceError(DeviceError::Kind::io, "bulk-out: the device took " +
                                                         std::to_string(sent) + " of " +
                                                         std::to_string(data.size()) + " bytes");
        // A transfer that fills its last packet exactly is only ended by a zero-length packet.
        if (data.size() % interface_.out_max_packet_size != 0) return;
    }
    int sent = 0;
    const int rc = libusb_bulk_transfer(handle_->get(), interface_.bulk_out, &nothing, 0, &sent,
                                        timeout_or_throw(deadline, "bulk-out"));
    if (rc != LIBUSB_SUCCESS)
        throw_transfer_error(rc, ptp::Endpoint::bulk_out, "bulk-out zero-length packet");
}

std::size_t UsbPtpTransport::bulk_in(std::span<std::byte> buffer, Deadline deadline) {
    const int length = static_cast<int>(std::min<std::size_t>(buffer.size(), INT_MAX));
    int received = 0;
    const int rc = libusb_bulk_transfer(handle_->get(), interface_.bulk_in,
                                        reinterpret_cast<unsigned char*>(buffer.data()), length,
                                        &received, timeout_or_throw(deadline, "bulk-in"));
    if (rc != LIBUSB_SUCCESS) throw_transfer_error(rc, ptp::Endpoint::bulk_in, "bulk-in");
    return static_cast<std::size_t>(received);
}

std::size_t UsbPtpTransport::interrupt_in(std::span<std::byte> buffer, Deadline deadline) {
    if (interface_.interrupt_in == 0) return 0;
    const auto timeout = transfer_timeout_ms(deadline);
    if (!timeout) return 0;
    const int length = static_cast<int>(std::min<std::size_t>(buffer.size(), INT_MAX));
    int received = 0;
    const int rc = libusb_interrupt_transfer(handle_->get(), interface_.interrupt_in,
                                             reinterpret_cast<unsigned char*>(buffer.data()),
                                             length, &received, *timeout);
    // No event before the deadline is the usual case, not a failure.
    if (rc == LIBUSB_ERROR_TIMEOUT) return static_cast<std::size_t>(received);
    if (rc != LIBUSB_SUCCESS) throw_transfer_error(rc, ptp::Endpoint::interrupt_in, "interrupt-in");
    return static_cast<std::size_t>(received);
}

void UsbPtpTransport::clear_halt(ptp::Endpoint endpoint, Deadline deadline) {
    // libusb_clear_halt takes no timeout (the kernel bounds it at 5 s); the deadline is
    // honoured before it starts.
    timeout_or_throw(deadline, "clear halt");
    const int rc = libusb_clear_halt(handle_->get(), address_of(endpoint));
    if (rc != LIBUSB_SUCCESS) throw_control_error(rc, "clear halt");
}

void UsbPtpTransport::cancel_transaction(std::uint32_t transaction_id, Deadline deadline) {
    std::array<unsigned char, 6> data{static_cast<unsigned char>(cancel_code & 0xFF),
                                      static_cast<unsigned char>(cancel_code >> 8),
                                      static_cast<unsigned char>(transaction_id),
                                      static_cast<unsigned char>(transaction_id >> 8),
                                      static_cast<unsigned char>(transaction_id >> 16),
                                      static_cast<unsigned char>(transaction_id >> 24)};
    const int rc = libusb_control_transfer(handle_->get(), class_interface_out, request_cancel, 0,
                                           interface_.interface_number, data.data(), data.size(),
                                           timeout_or_throw(deadline, "cancel request"));
    if (rc < 0) throw_control_error(rc, "cancel request");
}

void UsbPtpTransport::reset_device(Deadline deadline) {
    const int rc = libusb_control_transfer(handle_->get(), class_interface_out,
                                           request_device_reset, 0, interface_.interface_number,
                                           nullptr, 0, timeout_or_throw(deadline, "device reset"));
    if (rc < 0) throw_control_error(rc, "device reset request");
}

std::vector<std::uint16_t> UsbPtpTransport::device_status(Deadline deadline) {
    std::array<unsigned char, device_status_bytes> data{};
    const int rc =
        libusb_control_transfer(handle_->get(), class_interface_in, request_get_device_status, 0,
                                interface_.interface_number, data.data(), data.size(),
                                timeout_or_throw(deadline, "device status request"));
    if (rc < 0) throw_control_error(rc, "device status request");
    return parse_device_status(
        std::as_bytes(std::span<const unsigned char>(data.data(), static_cast<std::size_t>(rc))));
}

}  // namespace cradle::hw::usb
