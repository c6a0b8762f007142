// SPDX-License-Identifier: Apache-2.0
// The emulated USB bus seen through plain libusb: enumeration, descriptors, claiming, bulk,
// interrupt and control transfers, stalls, timeouts, unplug and hotplug. The device behind the
// bus is a scripted PTP responder, so these tests exercise the usbfs emulation alone.
#include "hw/ptp/codes.hpp"
#include "hw/ptp/container.hpp"
#include "sim/umockdev/emulated_usb_bus.hpp"
#include "sim/umockdev/usbfs_device.hpp"
#include "tests/usb/libusb_handles.hpp"
#include "tests/usb/scripted_camera.hpp"

#include <gtest/gtest.h>
#include <umockdev.h>

#include <chrono>
#include <cstring>
#include <string>

namespace cradle::test {
namespace {

using hw::sim::usb::EmulatedUsbBus;
using hw::sim::usb::UsbIdentity;
namespace ptp = hw::ptp;

constexpr unsigned kTimeoutMs = 2000;

UsbIdentity scripted_identity() {
    UsbIdentity identity;
    identity.manufacturer = "Lingchuan Optics";
    identity.product = "LC-BWC7";
    identity.serial = "BWC-0001";
    return identity;
}

std::vector<std::uint8_t> bytes_of(const std::vector<std::byte>& data) {
    std::vector<std::uint8_t> out(data.size());
    std::memcpy(out.data(), data.data(), data.size());
    return out;
}

std::span<const std::byte> as_span(const std::vector<std::uint8_t>& data, int length) {
    return {reinterpret_cast<const std::byte*>(data.data()), static_cast<std::size_t>(length)};
}

// Runs libusb's event loop until `done` or a deadline; false on the deadline.
bool pump_until(libusb_context* context, const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!done()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        timeval tick{0, 10000};
        libusb_handle_events_timeout_completed(context, &tick, nullptr);
    }
    return true;
}

class UsbfsEmulation : public ::testing::Test {
  protected:
    void SetUp() override {
        camera = std::make_shared<ScriptedCamera>();
        bus = std::make_unique<EmulatedUsbBus>();
        // Asked only now: umockdev answers (once, for good) by looking at the test bed's /sys.
        ASSERT_TRUE(umockdev_in_mock_environment())
            << "the USB tests must run under umockdev-wrapper (ctest does this)";
        bus->plug(1, camera, scripted_identity());
        context = make_libusb_context();
    }
    void TearDown() override {
        handle.reset();
        context.reset();
        bus.reset();
    }

    void open_and_claim() {
        handle = open_device(context.get(), 0x1209, 0x0001, {1, 1});
        ASSERT_TRUE(handle) << "the emulated camera in 1-1.1 is not visible to libusb";
        ASSERT_EQ(libusb_claim_interface(handle.get(), 0), 0);
    }

    // One PTP transaction without data from the host; returns the data phase (empty if none)
    // and checks the response.
    std::vector<std::uint8_t> transact(std::uint16_t code, std::uint32_t transaction_id) {
        auto command = bytes_of(
            ptp::encode_params_container(ptp::ContainerType::command, code, transaction_id, {}));
        int sent = 0;
        EXPECT_EQ(libusb_bulk_transfer(handle.get(), 0x02, command.data(),
                                       static_cast<int>(command.size()), &sent, kTimeoutMs),
                  0);
        EXPECT_EQ(sent, static_cast<int>(command.size()));
        std::vector<std::uint8_t> data;
        std::vector<std::uint8_t> buffer(64 * 1024);
        for (int phase = 0; phase < 2; ++phase) {
            int got = 0;
            const int status =
                libusb_bulk_transfer(handle.get(), 0x81, buffer.data(),
                                     static_cast<int>(buffer.size()), &got, kTimeoutMs);
            EXPECT_EQ(status, 0) << libusb_error_name(status);
            if (status != 0) return {};
            auto header = ptp::parse_header(as_span(buffer, got));
            EXPECT_EQ(header.transaction_id, transaction_id);
            if (header.type == ptp::ContainerType::data) {
                EXPECT_EQ(header.length, static_cast<std::uint32_t>(got));
                data.assign(buffer.begin(), buffer.begin() + got);
                continue;
            }
            auto response = ptp::parse_params_container(as_span(buffer, got));
            EXPECT_EQ(response.header.type, ptp::ContainerType::response);
            EXPECT_EQ(response.header.code, ptp::rc::ok);
            break;
        }
        return data;
    }

    std::shared_ptr<ScriptedCamera> camera;
    std::unique_ptr<EmulatedUsbBus> bus;
    LibusbContext context;
    LibusbHandle handle;
};

TEST_F(UsbfsEmulation, CameraIsEnumeratedWithItsDescriptorsAndPortPath) {
    libusb_device** list = nullptr;
    const auto count = libusb_get_device_list(context.get(), &list);
    libusb_device* found = nullptr;
    for (ssize_t i = 0; i < count; ++i) {
        libusb_device_descriptor descriptor{};
        ASSERT_EQ(libusb_get_device_descriptor(list[i], &descriptor), 0);
        if (descriptor.idVendor == 0x1209 && descriptor.idProduct == 0x0001) found = list[i];
    }
    ASSERT_NE(found, nullptr) << "no 1209:0001 among " << count << " devices";
    EXPECT_EQ(libusb_get_bus_number(found), 1);
    EXPECT_EQ(port_chain(found), (std::vector<std::uint8_t>{1, 1}));
    EXPECT_EQ(libusb_get_device_speed(found), LIBUSB_SPEED_HIGH);

    libusb_config_descriptor* config = nullptr;
    ASSERT_EQ(libusb_get_active_config_descriptor(found, &config), 0);
    ASSERT_EQ(config->bNumInterfaces, 1);
    const auto& interface = config->interface[0].altsetting[0];
    EXPECT_EQ(interface.bInterfaceClass, LIBUSB_CLASS_IMAGE);
    ASSERT_EQ(interface.bNumEndpoints, 3);
    EXPECT_EQ(interface.endpoint[0].bEndpointAddress, 0x81);
    EXPECT_EQ(interface.endpoint[0].wMaxPacketSize, 512);
    EXPECT_EQ(interface.endpoint[1].bEndpointAddress, 0x02);
    EXPECT_EQ(interface.endpoint[2].bEndpointAddress, 0x83);
    EXPECT_EQ(interface.endpoint[2].bmAttributes & 3, LIBUSB_TRANSFER_TYPE_INTERRUPT);
    libusb_free_config_descriptor(config);
    libusb_free_device_list(list, 1);
}

TEST_F(UsbfsEmulation, GetDeviceInfoOverBulkEndpoints) {
    open_and_claim();
    auto data = transact(ptp::op::get_device_info, 1);
    ASSERT_GT(data.size(), ptp::kHeaderSize);
    auto header = ptp::parse_header(as_span(data, static_cast<int>(data.size())));
    EXPECT_EQ(header.type, ptp::ContainerType::data);
    EXPECT_EQ(header.code, ptp::op::get_device_info);
    EXPECT_EQ(camera->commands(), 1);
    EXPECT_GT(bus->device(1)->urbs_submitted(), 2u);
}

TEST_F(UsbfsEmulation, SerialNumberStringDescriptor) {
    open_and_claim();
    libusb_device_descriptor descriptor{};
    ASSERT_EQ(libusb_get_device_descriptor(libusb_get_device(handle.get()), &descriptor), 0);
    unsigned char text[64] = {};
    const int length = libusb_get_string_descriptor_ascii(handle.get(), descriptor.iSerialNumber,
                                                          text, sizeof text);
    ASSERT_GT(length, 0) << libusb_error_name(length);
    EXPECT_EQ(std::string(reinterpret_cast<char*>(text), length), "BWC-0001");
}

TEST_F(UsbfsEmulation, StalledBulkInIsReportedAndClearedWithClearHalt) {
    open_and_claim();
    camera->stall_bulk_in();
    std::vector<std::uint8_t> buffer(512);
    int got = 0;
    EXPECT_EQ(libusb_bulk_transfer(handle.get(), 0x81, buffer.data(), 512, &got, kTimeoutMs),
              LIBUSB_ERROR_PIPE);
    EXPECT_GE(bus->device(1)->stalls(), 1u);

    // Get Device Status names the halted endpoint.
    std::uint8_t status[16] = {};
    const int length =
        libusb_control_transfer(handle.get(), 0xA1, ptp::class_request::get_device_status, 0, 0,
                                status, sizeof status, kTimeoutMs);
    ASSERT_EQ(length, 8);
    EXPECT_EQ(status[0], 8);
    EXPECT_EQ(status[2] | (status[3] << 8), ptp::rc::ok);
    EXPECT_EQ(status[4], 0x81);

    ASSERT_EQ(libusb_clear_halt(handle.get(), 0x81), 0);
    EXPECT_EQ(camera->clear_halts(), 1);
    EXPECT_FALSE(transact(ptp::op::get_device_info, 2).empty());
}

TEST_F(UsbfsEmulation, TimedOutReadIsDiscardedAndCancelAndResetReachTheDevice) {
    open_and_claim();
    std::vector<std::uint8_t> buffer(512);
    int got = 0;
    EXPECT_EQ(libusb_bulk_transfer(handle.get(), 0x81, buffer.data(), 512, &got, 50),
              LIBUSB_ERROR_TIMEOUT);
    EXPECT_EQ(got, 0);

    std::uint8_t cancel[6] = {0x01, 0x40, 0x07, 0x00, 0x00, 0x00};  // 0x4001, transaction 7
    EXPECT_EQ(libusb_control_transfer(handle.get(), 0x21, ptp::class_request::cancel, 0, 0, cancel,
                                      sizeof cancel, kTimeoutMs),
              6);
    EXPECT_EQ(camera->cancelled(), (std::vector<std::uint32_t>{7}));
    EXPECT_EQ(libusb_control_transfer(handle.get(), 0x21, ptp::class_request::device_reset, 0, 0,
                                      nullptr, 0, kTimeoutMs),
              0);
    EXPECT_EQ(camera->resets(), 1);
    // The discarded read did not swallow the next answer.
    EXPECT_FALSE(transact(ptp::op::get_device_info, 8).empty());
}

TEST_F(UsbfsEmulation, EventArrivesOnTheInterruptEndpoint) {
    open_and_claim();
    camera->queue_event(ptp::encode_params_container(
        ptp::ContainerType::event, ptp::event::object_added, ptp::kNoTransaction, {}));
    std::vector<std::uint8_t> buffer(64);
    int got = 0;
    ASSERT_EQ(libusb_interrupt_transfer(handle.get(), 0x83, buffer.data(), 64, &got, kTimeoutMs),
              0);
    auto event = ptp::parse_params_container(as_span(buffer, got));
    EXPECT_EQ(event.header.code, ptp::event::object_added);
}

TEST_F(UsbfsEmulation, UnplugFailsTheReadInFlightWithNoDevice) {
    open_and_claim();
    std::vector<std::uint8_t> buffer(512);
    LibusbTransfer transfer{libusb_alloc_transfer(0)};
    int completed_status = -1;
    libusb_fill_bulk_transfer(
        transfer.get(), handle.get(), 0x81, buffer.data(), 512,
        [](libusb_transfer* t) { *static_cast<int*>(t->user_data) = t->status; }, &completed_status,
        0);
    ASSERT_EQ(libusb_submit_transfer(transfer.get()), 0);
    timeval tick{0, 10000};
    libusb_handle_events_timeout_completed(context.get(), &tick, nullptr);
    EXPECT_EQ(completed_status, -1) << "the read completed although the device had nothing";

    bus->unplug(1);
    ASSERT_TRUE(pump_until(context.get(), [&] { return completed_status != -1; }));
    EXPECT_EQ(completed_status, LIBUSB_TRANSFER_NO_DEVICE);
    int got = 0;
    EXPECT_EQ(libusb_bulk_transfer(handle.get(), 0x81, buffer.data(), 512, &got, kTimeoutMs),
              LIBUSB_ERROR_NO_DEVICE);
    EXPECT_FALSE(bus->plugged(1));
}

TEST_F(UsbfsEmulation, HotplugReportsArrivalAndDepartureWithThePort) {
    ASSERT_TRUE(libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG));
    struct Seen {
        int arrived = 0;
        int left = 0;
        std::vector<std::uint8_t> ports;
    } seen;
    libusb_hotplug_callback_handle callback = 0;
    ASSERT_EQ(
        libusb_hotplug_register_callback(
            context.get(), LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED | LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT,
            LIBUSB_HOTPLUG_NO_FLAGS, 0x1209, 0x0001, LIBUSB_HOTPLUG_MATCH_ANY,
            [](libusb_context*, libusb_device* device, libusb_hotplug_event event,
               void* user_data) {
                auto& seen = *static_cast<Seen*>(user_data);
                if (event == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED) {
                    ++seen.arrived;
                    seen.ports = port_chain(device);
                } else {
                    ++seen.left;
                }
                return 0;
            },
            &seen, &callback),
        0);
    bus->plug(3, std::make_shared<ScriptedCamera>(), scripted_identity());
    ASSERT_TRUE(pump_until(context.get(), [&] { return seen.arrived == 1; }));
    EXPECT_EQ(seen.ports, (std::vector<std::uint8_t>{1, 3}));
    bus->unplug(3);
    ASSERT_TRUE(pump_until(context.get(), [&] { return seen.left == 1; }));
    libusb_hotplug_deregister_callback(context.get(), callback);
}

}  // namespace
}  // namespace cradle::test
