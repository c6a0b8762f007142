// SPDX-License-Identifier: Apache-2.0
// One emulated USB device node (/dev/bus/usb/BBB/DDD) answering the usbfs ioctls that libusb
// issues, from a UsbPtpFunction: claiming the interface, URBs on the bulk, interrupt and
// control endpoints (submitted, reaped, discarded), synchronous control transfers, clearing
// halts and resets. Device nodes in the test bed are plain files, so the host never blocks in
// poll(); it reaps without delay and retries, which is why pending URBs are retried here on
// every reap.
//
// umockdev answers ioctls on one worker thread for all devices; the device model is called
// only from this device's own thread, so a device that blocks (a hung camera) holds up neither
// umockdev nor the other devices. Synchronous requests that need the device (control
// transfers, clear halt, reset) are answered from that thread. unplug() may come from any
// thread.
#pragma once

#include "sim/umockdev/usb_function.hpp"

#include <functional>
#include <memory>
#include <string>

typedef struct _UMockdevIoctlBase UMockdevIoctlBase;

namespace cradle::hw::sim::usb {

class UsbfsDevice {
  public:
    // `on_gone` runs (without the lock, on the worker thread) when the function reports that
    // the device went away by itself, so that the bus can take it out of sysfs.
    // `on_port_power`, when given, makes the device answer the hub class requests
    // SET_FEATURE / CLEAR_FEATURE(PORT_POWER) with `on_port_power(port, on)` (on its thread),
    // as a hub that switches its ports' power does.
    UsbfsDevice(std::shared_ptr<UsbPtpFunction> function, UsbIdentity identity, std::uint8_t devnum,
                std::function<void()> on_gone = {},
                std::function<void(int port, bool on)> on_port_power = {});
    ~UsbfsDevice();
    UsbfsDevice(const UsbfsDevice&) = delete;
    UsbfsDevice& operator=(const UsbfsDevice&) = delete;

    // The umockdev handler to attach to the device node.
    UMockdevIoctlBase* handler() const { return handler_; }

    // The device is unplugged: URBs in flight complete with -ENODEV, every later ioctl fails
    // with ENODEV.
    void unplug();
    bool plugged() const;

    // Counts for tests: URBs submitted, and URBs that ended with a stall.
    std::uint64_t urbs_submitted() const;
    std::uint64_t stalls() const;

    struct State;  // the URB queues; public for the C callbacks only

  private:
    UMockdevIoctlBase* handler_ = nullptr;
    std::unique_ptr<State> state_;
};

}  // namespace cradle::hw::sim::usb
