// SPDX-License-Identifier: Apache-2.0
#include "hw/usb/usb_context.hpp"

#include <sys/time.h>

#include <future>
#include <utility>

namespace cradle::hw::usb {

UsbContext::UsbContext(std::shared_ptr<LibusbContext> context) : context_(std::move(context)) {}

UsbContext::~UsbContext() {
    stop();
}

void UsbContext::start(Handler handler) {
    if (thread_.joinable()) return;
    if (libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG) == 0)
        throw UsbError("this libusb cannot report USB hotplug events", LIBUSB_ERROR_NOT_SUPPORTED);
    handler_ = std::move(handler);
    stopping_ = false;
    // ENUMERATE queues the devices already present before this returns; the thread delivers
    // them first.
    registration_.emplace(context_->get(),
                          LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED | LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT,
                          LIBUSB_HOTPLUG_ENUMERATE, &UsbContext::on_hotplug, this);
    // The devices present at start are reported before start() returns (as hw::Cradle
    // promises), still on the event thread.
    std::promise<void> enumerated;
    auto enumerated_done = enumerated.get_future();
    thread_ = std::thread([this, &enumerated] {
        deliver_pending();
        enumerated.set_value();
        run();
    });
    enumerated_done.wait();
}

void UsbContext::stop() {
    if (!thread_.joinable()) return;
    stopping_ = true;
    // Wakes the thread out of libusb_handle_events at once; the flag stays set if it is not in
    // there yet, so the next call returns at once as well.
    libusb_interrupt_event_handler(context_->get());
    thread_.join();
    registration_.reset();
    std::lock_guard lock(mutex_);
    pending_.clear();
}

int LIBUSB_CALL UsbContext::on_hotplug(libusb_context*, libusb_device* device,
                                       libusb_hotplug_event event, void* self) {
    auto& context = *static_cast<UsbContext*>(self);
    std::lock_guard lock(context.mutex_);
    context.pending_.emplace_back(
        event == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED ? HotplugEvent::arrived : HotplugEvent::left,
        DeviceRef(device));
    return 0;  // stay registered
}

void UsbContext::run() {
    while (!stopping_) {
        // The timeout only bounds how long a missed wake-up could delay stop().
        timeval timeout{1, 0};
        libusb_handle_events_timeout_completed(context_->get(), &timeout, nullptr);
        deliver_pending();
    }
}

void UsbContext::deliver_pending() {
    for (;;) {
        std::pair<HotplugEvent, DeviceRef> next;
        {
            std::lock_guard lock(mutex_);
            if (pending_.empty() || stopping_) return;
            next = std::move(pending_.front());
            pending_.pop_front();
        }
        try {
            handler_(next.first, next.second);
        } catch (...) {
            // The handler reports its own failures; one device must not end hotplug for all.
        }
    }
}

}  // namespace cradle::hw::usb
