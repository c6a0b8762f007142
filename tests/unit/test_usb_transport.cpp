// SPDX-License-Identifier: Apache-2.0
// The parts of the libusb PTP transport that need no device: finding the Still Image pipes in
// a configuration descriptor, turning deadlines into libusb timeouts, mapping libusb results to
// device errors, and reading Get Device Status. Transfers themselves run against emulated USB
// devices in the integration tests (label usb).
#include "hw/usb/usb_ptp_transport.hpp"

#include <gtest/gtest.h>

#include <array>
#include <vector>

namespace cradle::hw::usb {
namespace {

using namespace std::chrono_literals;

libusb_endpoint_descriptor endpoint(std::uint8_t address, std::uint8_t type,
                                    std::uint16_t max_packet) {
    libusb_endpoint_descriptor e{};
    e.bEndpointAddress = address;
    e.bmAttributes = type;
    e.wMaxPacketSize = max_packet;
    return e;
}

// One configuration with the given interfaces (one alternate setting each).
struct Config {
    std::vector<std::vector<libusb_endpoint_descriptor>> endpoints;
    std::vector<libusb_interface_descriptor> settings;
    std::vector<libusb_interface> interfaces;
    libusb_config_descriptor config{};

    Config(std::initializer_list<std::pair<std::uint8_t, std::vector<libusb_endpoint_descriptor>>>
               list) {
        for (const auto& [klass, eps] : list) endpoints.push_back(eps);
        settings.resize(endpoints.size());
        interfaces.resize(endpoints.size());
        std::size_t i = 0;
        for (const auto& [klass, eps] : list) {
            settings[i].bInterfaceNumber = static_cast<std::uint8_t>(i);
            settings[i].bInterfaceClass = klass;
            settings[i].bNumEndpoints = static_cast<std::uint8_t>(endpoints[i].size());
            settings[i].endpoint = endpoints[i].data();
            interfaces[i].altsetting = &settings[i];
            interfaces[i].num_altsetting = 1;
            ++i;
        }
        config.bNumInterfaces = static_cast<std::uint8_t>(interfaces.size());
        config.interface = interfaces.data();
    }
};

const std::vector<libusb_endpoint_descriptor> ptp_endpoints{
    endpoint(0x81, LIBUSB_TRANSFER_TYPE_BULK, 512), endpoint(0x02, LIBUSB_TRANSFER_TYPE_BULK, 512),
    endpoint(0x83, LIBUSB_TRANSFER_TYPE_INTERRUPT, 8)};

TEST(StillImageInterface, FindsTheBulkAndInterruptPipesOfClassSix) {
    const Config c{{8, {endpoint(0x84, LIBUSB_TRANSFER_TYPE_BULK, 64)}}, {6, ptp_endpoints}};
    const auto found = find_still_image_interface(c.config);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->interface_number, 1);
    EXPECT_EQ(found->bulk_in, 0x81);
    EXPECT_EQ(found->bulk_out, 0x02);
    EXPECT_EQ(found->interrupt_in, 0x83);
    EXPECT_EQ(found->max_packet_size, 512);
}

TEST(StillImageInterface, PacketSizeIgnoresTheHighBandwidthBits) {
    const Config c{{6,
                    {endpoint(0x81, LIBUSB_TRANSFER_TYPE_BULK, 0x1200),
                     endpoint(0x02, LIBUSB_TRANSFER_TYPE_BULK, 0x1200)}}};
    EXPECT_EQ(find_still_image_interface(c.config)->max_packet_size, 0x200);
}

TEST(StillImageInterface, EachDirectionKeepsItsOwnPacketSize) {
    const Config c{{6,
                    {endpoint(0x81, LIBUSB_TRANSFER_TYPE_BULK, 512),
                     endpoint(0x02, LIBUSB_TRANSFER_TYPE_BULK, 64)}}};
    const auto found = find_still_image_interface(c.config);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->max_packet_size, 512);
    EXPECT_EQ(found->out_max_packet_size, 64);
}

TEST(StillImageInterface, ClassSixWithoutBulkPipesIsNotUsable) {
    const Config c{{6, {endpoint(0x83, LIBUSB_TRANSFER_TYPE_INTERRUPT, 8)}}};
    EXPECT_FALSE(find_still_image_interface(c.config));
}

TEST(StillImageInterface, VendorClassInterfaceOnlyWhenAllowed) {
    const Config c{{0xFF, ptp_endpoints}};
    EXPECT_FALSE(find_still_image_interface(c.config));
    const auto found = find_still_image_interface(c.config, true);
    ASSERT_TRUE(found);
    EXPECT_EQ(found->bulk_out, 0x02);
}

TEST(StillImageInterface, ClassSixIsPreferredOverAnEarlierVendorInterface) {
    const Config c{{0xFF, ptp_endpoints}, {6, ptp_endpoints}};
    EXPECT_EQ(find_still_image_interface(c.config, true)->interface_number, 1);
}

TEST(TransferTimeout, IsTheTimeLeftRoundedUp) {
    const auto now = SteadyClock::now();
    EXPECT_EQ(transfer_timeout_ms(now + 1500ms, now), 1500u);
    EXPECT_EQ(transfer_timeout_ms(now + 1001us, now), 2u);
}

TEST(TransferTimeout, NeverZeroWhichLibusbReadsAsForever) {
    const auto now = SteadyClock::now();
    EXPECT_EQ(transfer_timeout_ms(now + 1ns, now), 1u);
}

TEST(TransferTimeout, PassedDeadlineGivesNone) {
    const auto now = SteadyClock::now();
    EXPECT_FALSE(transfer_timeout_ms(now, now));
    EXPECT_FALSE(transfer_timeout_ms(now - 1s, now));
}

DeviceError::Kind kind_of(int code) {
    try {
        throw_transfer_error(code, ptp::Endpoint::bulk_in, "bulk-in");
    } catch (const ptp::EndpointStall&) {
        ADD_FAILURE() << "stall for " << code;
    } catch (const DeviceError& e) {
        return e.kind();
    }
    return DeviceError::Kind::refused;
}

TEST(TransferErrors, StallNamesItsEndpoint) {
    try {
        throw_transfer_error(LIBUSB_ERROR_PIPE, ptp::Endpoint::bulk_out, "bulk-out");
        FAIL() << "no exception";
    } catch (const ptp::EndpointStall& stall) {
        EXPECT_EQ(stall.endpoint(), ptp::Endpoint::bulk_out);
    }
}

TEST(TransferErrors, EachLibusbResultBecomesItsKind) {
    EXPECT_EQ(kind_of(LIBUSB_ERROR_NO_DEVICE), DeviceError::Kind::gone);
    EXPECT_EQ(kind_of(LIBUSB_ERROR_TIMEOUT), DeviceError::Kind::timeout);
    EXPECT_EQ(kind_of(LIBUSB_ERROR_OVERFLOW), DeviceError::Kind::protocol);
    EXPECT_EQ(kind_of(LIBUSB_ERROR_IO), DeviceError::Kind::io);
    EXPECT_EQ(kind_of(LIBUSB_ERROR_OTHER), DeviceError::Kind::io);
}

TEST(TransferErrors, StalledClassRequestIsRefusedNotAnEndpointStall) {
    try {
        throw_control_error(LIBUSB_ERROR_PIPE, "cancel request");
        FAIL() << "no exception";
    } catch (const ptp::EndpointStall&) {
        FAIL() << "a control request has no bulk endpoint to clear";
    } catch (const DeviceError& e) {
        EXPECT_EQ(e.kind(), DeviceError::Kind::refused);
    }
}

std::vector<std::byte> bytes(std::initializer_list<unsigned> values) {
    std::vector<std::byte> out;
    for (const unsigned v : values) out.push_back(static_cast<std::byte>(v));
    return out;
}

TEST(DeviceStatus, CodeThenHaltedEndpoints) {
    const auto data = bytes({12, 0, 0x01, 0x20, 0x81, 0, 0, 0, 0x02, 0, 0, 0});
    EXPECT_EQ(parse_device_status(data), (std::vector<std::uint16_t>{0x2001, 0x81, 0x02}));
}

TEST(DeviceStatus, ReadsOnlyWhatTheLengthFieldCovers) {
    const auto data = bytes({4, 0, 0x19, 0x20, 0xEE, 0xEE, 0xEE, 0xEE});
    EXPECT_EQ(parse_device_status(data), (std::vector<std::uint16_t>{0x2019}));
}

TEST(DeviceStatus, LengthThatLiesIsAProtocolError) {
    for (const auto& data : {bytes({}), bytes({4, 0, 1}), bytes({200, 0, 1, 0x20}),
                             bytes({2, 0, 1, 0x20}), bytes({6, 0, 1, 0x20, 0x81, 0})}) {
        try {
            parse_device_status(data);
            ADD_FAILURE() << "accepted " << data.size() << " bytes";
        } catch (const DeviceError& e) {
            EXPECT_EQ(e.kind(), DeviceError::Kind::protocol);
        }
    }
}

}  // namespace
}  // namespace cradle::hw::usb
