// SPDX-License-Identifier: Apache-2.0
// libusb with hotplug, driven by one event thread. The thread runs libusb's event handling in
// a loop; hotplug callbacks only queue the event, and the queue is handed to the owner's
// handler on the same thread right after, outside libusb's event handling, where opening and
// claiming a device is allowed. Device transfers use libusb's synchronous API from the caller's
// own (worker) thread. docs/architecture.md says why this and not libusb's pollfds on the
// Asio loop.
#pragma once

#include "hw/usb/libusb_handles.hpp"

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

namespace cradle::hw::usb {

enum class HotplugEvent { arrived, left };

class UsbContext {
  public:
    // Runs on the event thread, one event at a time, in the order libusb reported them.
    using Handler = std::function<void(HotplugEvent, const DeviceRef&)>;

    // Throws UsbError when libusb cannot start.
    explicit UsbContext(std::shared_ptr<LibusbContext> context = LibusbContext::create());
    ~UsbContext();
    UsbContext(const UsbContext&) = delete;
    UsbContext& operator=(const UsbContext&) = delete;

    // Starts the event thread. Devices present now are reported as arrived (on the event
    // thread) before this returns. Throws UsbError when this libusb cannot report hotplug
    // events.
    void start(Handler handler);
    // Stops reporting and joins the event thread; the handler is not called afterwards.
    // Idempotent; must not be called from the handler.
    void stop();

    const std::shared_ptr<LibusbContext>& libusb() const { return context_; }

  private:
    static int LIBUSB_CALL on_hotplug(libusb_context*, libusb_device* device,
                                      libusb_hotplug_event event, void* self);
    void run();
    void deliver_pending();

    std::shared_ptr<LibusbContext> context_;
    Handler handler_;
    std::mutex mutex_;
    std::deque<std::pair<HotplugEvent, DeviceRef>> pending_;
    std::atomic<bool> stopping_{false};
    std::optional<HotplugRegistration> registration_;
    std::thread thread_;
};

}  // namespace cradle::hw::usb
