// SPDX-License-Identifier: Apache-2.0
// An emulated USB bus in a umockdev test bed: a root hub (usb1) with the cradle's hub on its
// port 1 (1-1, with a sysfs port directory and `disable` file per downstream port), and USB
// devices plugged into the cradle hub's ports ("1-1.<port>") and unplugged again, with the
// uevents that libusb's hotplug watches.
//
// The test bed lives as long as this object and exports UMOCKDEV_DIR; only one may exist in a
// process at a time. Create it before libusb_init (libusb looks for /dev/bus/usb at start-up)
// and destroy it after libusb_exit. Programs see the devices when they run with
// libumockdev-preload.so.0 preloaded: in this process (tests run under umockdev-wrapper) or in
// a child (cradle-emulate).
#pragma once

#include "common/fs.hpp"
#include "sim/umockdev/usb_function.hpp"

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

typedef struct _UMockdevTestbed UMockdevTestbed;

namespace cradle::hw::sim::usb {

class UsbfsDevice;

// The test bed could not be set up (umockdev refused a device or a handler).
class EmulatedBusError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// How the cradle hub lets a program switch its ports' power.
enum class HubPortSwitching {
    disable_files,   // sysfs `disable` file per port (kernels 6.0 and later)
    class_requests,  // no such files; the hub's device node answers SET_FEATURE /
                     // CLEAR_FEATURE(PORT_POWER) control requests (older kernels)
};

class EmulatedUsbBus {
  public:
    static constexpr int kHubPorts = 7;

    explicit EmulatedUsbBus(HubPortSwitching switching = HubPortSwitching::disable_files);
    ~EmulatedUsbBus();
    EmulatedUsbBus(const EmulatedUsbBus&) = delete;
    EmulatedUsbBus& operator=(const EmulatedUsbBus&) = delete;

    // Plugs a device into `port` (1..kHubPorts) of the cradle hub, with a fresh device number
    // as the kernel would give it. Returns its sysfs name ("1-1.<port>"). Throws
    // std::invalid_argument for a bad or occupied port, EmulatedBusError if umockdev refuses.
    std::string plug(int port, std::shared_ptr<UsbPtpFunction> function, UsbIdentity identity);
    // Unplugs the device in `port` (nothing if the port is empty): its URBs in flight fail
    // with ENODEV, later ioctls on open handles too, a "remove" uevent goes out and its sysfs
    // entry and device node disappear.
    void unplug(int port);
    bool plugged(int port) const;

    // "1-1.<port>", and the device node of the device in `port` ("" when empty).
    static std::string port_name(int port);
    std::string device_node(int port) const;
    // The device's usbfs emulation (nullptr when the port is empty), for counters in tests.
    const UsbfsDevice* device(int port) const;

    // Adds an LED class device, /sys/class/leds/<name>/, as the kernel shows a bay's LED: off
    // (brightness 0 of max_brightness 1, trigger none), with the timer trigger's delay_on and
    // delay_off present. Programs write its attributes as on a real system; tests read them
    // back. Throws EmulatedBusError if umockdev refuses.
    void add_led(const std::string& name);

    // The test bed's root: the value of UMOCKDEV_DIR for programs that should see the bus.
    std::string root_dir() const;

    // Port power: a program writing "1" (off) or "0" (on) to a hub port's sysfs `disable` file
    // (or, with HubPortSwitching::class_requests, sending the hub CLEAR_FEATURE / SET_FEATURE
    // PORT_POWER) has `handler(port, on)` called, on a watcher thread (the hub device's
    // thread), as the hub would cut or restore the
    // port's power. The handler decides what that does to the device (EmulatedUsbCameras
    // unplugs the camera and plugs in a fresh one). An empty handler stops watching.
    using PortPowerHandler = std::function<void(int port, bool on)>;
    void on_port_power(PortPowerHandler handler);
    // Whether the port's `disable` file last said "on" (true at start).
    bool port_powered(int port) const;

  private:
    struct Slot;
    void attach_hub_device();
    void watch_port_power();
    void stop_watching();
    void switch_port(int port, bool on);
    void remove_locked(int port);
    std::uint8_t next_devnum_locked();

    mutable std::mutex mutex_;
    HubPortSwitching switching_;
    UMockdevTestbed* testbed_ = nullptr;
    std::vector<std::unique_ptr<Slot>> slots_;        // index port - 1
    std::vector<std::unique_ptr<UsbfsDevice>> gone_;  // unplugged; open handles still reach them
    std::uint8_t last_devnum_ = 2;
    bool closing_ = false;
    bool announce_ = false;
    std::vector<bool> powered_ = std::vector<bool>(kHubPorts, true);
    PortPowerHandler power_handler_;
    std::vector<Fd> fifo_read_ = std::vector<Fd>(kHubPorts);  // per port, see .cpp
    std::vector<Fd> fifo_keep_ = std::vector<Fd>(kHubPorts);
    Fd stop_fd_;           // eventfd that ends the watcher
    std::thread watcher_;  // this process is preloaded, so it can send uevents
    // class_requests only. Last, so that it (and its thread, which switches ports) goes first.
    std::unique_ptr<UsbfsDevice> hub_device_;
};

}  // namespace cradle::hw::sim::usb
