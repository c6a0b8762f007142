// SPDX-License-Identifier: Apache-2.0
#include "sim/umockdev/emulated_usb_bus.hpp"

#include "sim/umockdev/usb_descriptors.hpp"
#include "sim/umockdev/usbfs_device.hpp"

#include <umockdev.h>

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <set>

namespace cradle::hw::sim::usb {
namespace {

constexpr const char* kRootHubPath = "/sys/devices/pci0000:00/0000:00:14.0/usb1";
constexpr const char* kCradleHubPath = "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-1";
constexpr int kUsbDeviceMajor = 189;

std::string hex(const std::vector<std::uint8_t>& bytes) {
    std::string out;
    char pair[3];
    for (auto b : bytes) {
        std::snprintf(pair, sizeof pair, "%02X", b);
        out += pair;
    }
    return out;
}

std::string hex4(std::uint16_t value) {
    char text[5];
    std::snprintf(text, sizeof text, "%04x", value);
    return text;
}

std::string three_digits(int value) {
    char text[4];
    std::snprintf(text, sizeof text, "%03d", value);
    return text;
}

// A sysfs text attribute in umockdev's description format: C escapes, trailing newline (as the
// kernel writes it). Text from a device spec is reduced to printable ASCII.
std::string attribute(const std::string& name, const std::string& value) {
    std::string escaped;
    for (char c : value) {
        if (c == '\\') {
            escaped += "\\\\";
        } else if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7F) {
            escaped += '?';
        } else {
            escaped += c;
        }
    }
    return "A: " + name + "=" + escaped + "\\n\n";
}

struct DeviceRecord {
    std::string sys_path;  // /sys/devices/...
    int devnum = 0;
    std::string devpath;  // "1", "1.3"
    std::uint16_t vendor = 0;
    std::uint16_t product = 0;
    std::uint16_t release = 0;
    std::uint8_t device_class = 0;
    int maxchild = 0;
    std::string manufacturer, product_name, serial;
    std::vector<std::uint8_t> descriptors;
    std::string extra;  // more lines
};

std::string describe(const DeviceRecord& d) {
    const std::string node = "bus/usb/001/" + three_digits(d.devnum);
    const int minor = d.devnum - 1;  // bus 1
    std::string text = "P: " + d.sys_path.substr(4) + "\n";
    text += "N: " + node + "\n";
    text += "E: SUBSYSTEM=usb\nE: DEVTYPE=usb_device\nE: DRIVER=usb\n";
    text += "E: DEVNAME=/dev/" + node + "\n";
    char product[32];
    std::snprintf(product, sizeof product, "%x/%x/%x", d.vendor, d.product, d.release);
    text += std::string("E: PRODUCT=") + product + "\n";
    text += "E: TYPE=" + std::to_string(d.device_class) + "/0/0\n";
    text += "E: BUSNUM=001\nE: DEVNUM=" + three_digits(d.devnum) + "\n";
    text += "E: MAJOR=" + std::to_string(kUsbDeviceMajor) + "\nE: MINOR=" + std::to_string(minor) +
            "\n";
    text += attribute("dev", std::to_string(kUsbDeviceMajor) + ":" + std::to_string(minor));
    text += attribute("idVendor", hex4(d.vendor));
    text += attribute("idProduct", hex4(d.product));
    text += attribute("bcdDevice", hex4(d.release));
    if (!d.manufacturer.empty()) text += attribute("manufacturer", d.manufacturer);
    if (!d.product_name.empty()) text += attribute("product", d.product_name);
    if (!d.serial.empty()) text += attribute("serial", d.serial);
    text += attribute("busnum", "1");
    text += attribute("devnum", std::to_string(d.devnum));
    text += attribute("devpath", d.devpath);
    text += attribute("speed", "480");
    text += attribute("version", " 2.00");
    text += attribute("bConfigurationValue", "1");
    text += attribute("bNumConfigurations", "1");
    text += attribute("bNumInterfaces", " 1");
    char klass[3];
    std::snprintf(klass, sizeof klass, "%02x", d.device_class);
    text += attribute("bDeviceClass", klass);
    text += attribute("bMaxPacketSize0", "64");
    text += attribute("maxchild", std::to_string(d.maxchild));
    text += attribute("removable", d.maxchild > 0 ? "fixed" : "removable");
    text += "H: descriptors=" + hex(d.descriptors) + "\n";
    text += d.extra;
    return text + "\n";
}

void add(UMockdevTestbed* testbed, const std::string& description) {
    GError* error = nullptr;
    if (!umockdev_testbed_add_from_string(testbed, description.c_str(), &error)) {
        std::string message = error ? error->message : "unknown error";
        if (error) g_error_free(error);
        throw EmulatedBusError("emulated USB bus: cannot add device: " + message);
    }
}

std::string node_path(int devnum) {
    return "/dev/bus/usb/001/" + three_digits(devnum);
}

}  // namespace

struct EmulatedUsbBus::Slot {
    int devnum = 0;
    std::string sys_path;
    std::unique_ptr<UsbfsDevice> device;
};

EmulatedUsbBus::EmulatedUsbBus(HubPortSwitching switching)
    : switching_(switching), testbed_(umockdev_testbed_new()), slots_(kHubPorts) {
    DeviceRecord root;
    root.sys_path = kRootHubPath;
    root.devnum = 1;
    root.devpath = "0";
    root.vendor = 0x1D6B;
    root.product = 0x0002;
    root.release = 0x0601;
    root.device_class = 9;
    root.maxchild = 1;
    root.product_name = "EHCI Host Controller";
    root.descriptors = hub_device_descriptor(true);
    for (auto b : hub_config_descriptor()) root.descriptors.push_back(b);

    DeviceRecord hub = root;
    hub.sys_path = kCradleHubPath;
    hub.devnum = 2;
    hub.devpath = "1";
    hub.vendor = 0x05E3;
    hub.product = 0x0610;
    hub.release = 0x0100;
    hub.maxchild = kHubPorts;
    hub.product_name = "USB2.0 Hub";
    hub.descriptors = hub_device_descriptor(false);
    for (auto b : hub_config_descriptor()) hub.descriptors.push_back(b);
    // Port power switching goes through these files (written as "1" to power a port off).
    for (int port = 1; port <= kHubPorts; ++port) {
        const std::string port_dir = "1-1:1.0/1-1-port" + std::to_string(port);
        hub.extra += switching_ == HubPortSwitching::disable_files
                         ? attribute(port_dir + "/disable", "0")
                         : attribute(port_dir + "/connect_type", "hotplug");
    }
    // Asked once the test bed exists: umockdev decides from what /sys looks like, for good.
    announce_ = umockdev_in_mock_environment();
    try {
        add(testbed_, describe(root));
        add(testbed_, describe(hub));
        if (switching_ == HubPortSwitching::class_requests) attach_hub_device();
    } catch (...) {
        g_object_unref(testbed_);
        throw;
    }
}

// The hub's device node, answering PORT_POWER requests. Nothing but its control endpoint is
// ever used, so the function behind it does nothing.
namespace {
class NoFunction final : public UsbPtpFunction {
  public:
    void bulk_out(std::span<const std::byte>) override {}
    std::optional<std::vector<std::byte>> bulk_in(std::size_t) override { return std::nullopt; }
    std::optional<std::vector<std::byte>> interrupt_in(std::size_t) override {
        return std::nullopt;
    }
    bool halted(ptp::Endpoint) const override { return false; }
    void clear_halt(ptp::Endpoint) override {}
    void cancel(std::uint32_t) override {}
    void reset() override {}
    std::vector<std::uint16_t> status() const override { return {}; }
};
}  // namespace

void EmulatedUsbBus::attach_hub_device() {
    UsbIdentity identity;
    identity.vendor_id = 0x05E3;
    identity.product_id = 0x0610;
    hub_device_ = std::make_unique<UsbfsDevice>(std::make_shared<NoFunction>(), identity, 2,
                                                std::function<void()>{}, [this](int port, bool on) {
                                                    if (port >= 1 && port <= kHubPorts)
                                                        switch_port(port, on);
                                                });
    GError* error = nullptr;
    if (!umockdev_testbed_attach_ioctl(testbed_, node_path(2).c_str(), hub_device_->handler(),
                                       &error)) {
        std::string message = error ? error->message : "unknown error";
        if (error) g_error_free(error);
        throw EmulatedBusError("emulated USB bus: cannot attach the hub: " + message);
    }
}

EmulatedUsbBus::~EmulatedUsbBus() {
    stop_watching();
    {
        std::lock_guard lock(mutex_);
        closing_ = true;
        // Handlers stop with the test bed; the devices (and their callbacks) go after it.
        for (auto& slot : slots_)
            if (slot) slot->device->unplug();
    }
    if (hub_device_) hub_device_->unplug();
    g_object_unref(testbed_);
}

void EmulatedUsbBus::add_led(const std::string& name) {
    std::lock_guard lock(mutex_);
    // Values end in a newline, as the kernel shows them; the trigger list marks the active one.
    gchar* sys_path =
        umockdev_testbed_add_device(testbed_, "leds", name.c_str(), nullptr, "brightness", "0\n",
                                    "max_brightness", "1\n", "trigger", "[none] timer heartbeat\n",
                                    "delay_on", "500\n", "delay_off", "500\n", nullptr, nullptr);
    if (sys_path == nullptr) throw EmulatedBusError("emulated USB bus: cannot add LED " + name);
    g_free(sys_path);
}

std::string EmulatedUsbBus::port_name(int port) {
    return "1-1." + std::to_string(port);
}

std::uint8_t EmulatedUsbBus::next_devnum_locked() {
    std::set<int> in_use{1, 2};
    for (auto& slot : slots_)
        if (slot) in_use.insert(slot->devnum);
    for (int tries = 0; tries < 127; ++tries) {
        last_devnum_ = last_devnum_ >= 127 ? 3 : last_devnum_ + 1;
        if (in_use.count(last_devnum_) == 0) {
            // A device unplugged earlier may still answer on this node: hand it over.
            umockdev_testbed_detach_ioctl(testbed_, node_path(last_devnum_).c_str(), nullptr);
            return last_devnum_;
        }
    }
    throw EmulatedBusError("emulated USB bus: no free device number");
}

std::string EmulatedUsbBus::plug(int port, std::shared_ptr<UsbPtpFunction> function,
                                 UsbIdentity identity) {
    if (port < 1 || port > kHubPorts) throw std::invalid_argument("no such hub port");
    if (!function) throw std::invalid_argument("no device to plug in");
    std::lock_guard lock(mutex_);
    auto& slot = slots_[port - 1];
    if (slot) throw std::invalid_argument("hub port " + std::to_string(port) + " is occupied");

    const int devnum = next_devnum_locked();
    auto entry = std::make_unique<Slot>();
    entry->devnum = devnum;
    entry->sys_path = std::string(kCradleHubPath) + "/" + port_name(port);
    // A device that goes away by itself (a yank fault) leaves the bus as an unplug would.
    auto on_gone = [this, port, devnum] {
        std::lock_guard lock(mutex_);
        auto& current = slots_[port - 1];
        if (!closing_ && current && current->devnum == devnum) remove_locked(port);
    };
    entry->device = std::make_unique<UsbfsDevice>(std::move(function), identity,
                                                  static_cast<std::uint8_t>(devnum), on_gone);

    GError* error = nullptr;
    if (!umockdev_testbed_attach_ioctl(testbed_, node_path(devnum).c_str(),
                                       entry->device->handler(), &error)) {
        std::string message = error ? error->message : "unknown error";
        if (error) g_error_free(error);
        throw EmulatedBusError("emulated USB bus: cannot attach device: " + message);
    }

    DeviceRecord record;
    record.sys_path = entry->sys_path;
    record.devnum = devnum;
    record.devpath = "1." + std::to_string(port);
    record.vendor = identity.vendor_id;
    record.product = identity.product_id;
    record.release = identity.device_release;
    record.manufacturer = identity.manufacturer;
    record.product_name = identity.product;
    record.serial = identity.serial;
    record.descriptors = camera_device_descriptor(identity);
    for (auto b : camera_config_descriptor(identity)) record.descriptors.push_back(b);
    // The Still Image interface, as the kernel lists it below the device.
    const std::string interface = port_name(port) + ":1.0";
    record.extra = attribute(interface + "/bInterfaceClass", "06") +
                   attribute(interface + "/bInterfaceSubClass", "01") +
                   attribute(interface + "/bInterfaceProtocol", "01") +
                   attribute(interface + "/bNumEndpoints", "03");
    try {
        add(testbed_, describe(record));
    } catch (...) {
        umockdev_testbed_detach_ioctl(testbed_, node_path(devnum).c_str(), nullptr);
        throw;
    }
    slot = std::move(entry);
    return port_name(port);
}

void EmulatedUsbBus::remove_locked(int port) {
    auto& slot = slots_[port - 1];
    slot->device->unplug();
    // The kernel announces the removal while sysfs still describes the device. umockdev can send
    // uevents only from a preloaded process (tests); cradle-emulate's children see no removals.
    if (announce_) umockdev_testbed_uevent(testbed_, slot->sys_path.c_str(), "remove");
    umockdev_testbed_remove_device(testbed_, slot->sys_path.c_str());
    gone_.push_back(std::move(slot->device));
    slot.reset();
}

void EmulatedUsbBus::unplug(int port) {
    if (port < 1 || port > kHubPorts) throw std::invalid_argument("no such hub port");
    std::lock_guard lock(mutex_);
    if (slots_[port - 1]) remove_locked(port);
}

bool EmulatedUsbBus::plugged(int port) const {
    if (port < 1 || port > kHubPorts) return false;
    std::lock_guard lock(mutex_);
    return slots_[port - 1] != nullptr;
}

std::string EmulatedUsbBus::device_node(int port) const {
    if (port < 1 || port > kHubPorts) return {};
    std::lock_guard lock(mutex_);
    return slots_[port - 1] ? node_path(slots_[port - 1]->devnum) : std::string{};
}

const UsbfsDevice* EmulatedUsbBus::device(int port) const {
    if (port < 1 || port > kHubPorts) return nullptr;
    std::lock_guard lock(mutex_);
    return slots_[port - 1] ? slots_[port - 1]->device.get() : nullptr;
}

std::string EmulatedUsbBus::root_dir() const {
    gchar* dir = umockdev_testbed_get_root_dir(testbed_);
    std::string out = dir ? dir : "";
    g_free(dir);
    return out;
}

namespace {

std::string port_dir(const std::string& root, int port) {
    return root + kCradleHubPath + "/1-1:1.0/1-1-port" + std::to_string(port);
}

}  // namespace

void EmulatedUsbBus::on_port_power(PortPowerHandler handler) {
    stop_watching();
    if (!handler) return;
    {
        std::lock_guard lock(mutex_);
        power_handler_ = std::move(handler);
    }
    // A hub switched by class requests calls the handler from its own device thread.
    if (switching_ == HubPortSwitching::class_requests) return;
    // Each port's `disable` file becomes a FIFO that the watcher reads, so that every value
    // written arrives in order, however quickly off and on follow each other. The watcher also
    // holds each FIFO open for writing, so that writers never block and it never sees an end.
    stop_fd_ = Fd(eventfd(0, EFD_CLOEXEC));
    const std::string root = root_dir();
    bool ok = static_cast<bool>(stop_fd_);
    for (int port = 1; port <= kHubPorts && ok; ++port) {
        const std::string file = port_dir(root, port) + "/disable";
        unlink(file.c_str());
        ok = mkfifo(file.c_str(), 0644) == 0;
        if (ok) fifo_read_[port - 1] = Fd(open(file.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
        if (ok) fifo_keep_[port - 1] = Fd(open(file.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC));
        ok = ok && fifo_read_[port - 1] && fifo_keep_[port - 1];
    }
    if (!ok) {
        stop_watching();
        throw EmulatedBusError("emulated USB bus: cannot watch the hub's port switches");
    }
    watcher_ = std::thread([this] { watch_port_power(); });
}

void EmulatedUsbBus::stop_watching() {
    if (watcher_.joinable()) {
        const std::uint64_t one = 1;
        if (write(stop_fd_.get(), &one, sizeof one) < 0) {
            // Cannot happen for an eventfd that is not full; the join below would then wait.
        }
        watcher_.join();
    }
    const std::string root = testbed_ ? root_dir() : std::string{};
    for (int port = 1; port <= kHubPorts; ++port) {
        if (!fifo_read_[port - 1] && !fifo_keep_[port - 1]) continue;
        fifo_read_[port - 1] = Fd();
        fifo_keep_[port - 1] = Fd();
        // A plain file again, saying what the port was last switched to.
        const std::string file = port_dir(root, port) + "/disable";
        unlink(file.c_str());
        std::ofstream(file) << (port_powered(port) ? "0\n" : "1\n");
    }
    stop_fd_ = Fd();
    std::lock_guard lock(mutex_);
    power_handler_ = {};
}

bool EmulatedUsbBus::port_powered(int port) const {
    if (port < 1 || port > kHubPorts) return false;
    std::lock_guard lock(mutex_);
    return powered_[port - 1];
}

void EmulatedUsbBus::switch_port(int port, bool on) {
    PortPowerHandler handler;
    {
        std::lock_guard lock(mutex_);
        if (powered_[port - 1] == on) return;  // as the kernel: switching to the same state
        powered_[port - 1] = on;
        handler = power_handler_;
    }
    if (handler) handler(port, on);
}

void EmulatedUsbBus::watch_port_power() {
    std::vector<pollfd> fds;
    for (int port = 1; port <= kHubPorts; ++port)
        fds.push_back({fifo_read_[port - 1].get(), POLLIN, 0});
    fds.push_back({stop_fd_.get(), POLLIN, 0});
    char buffer[256];
    while (true) {
        if (poll(fds.data(), fds.size(), -1) < 0) {
            if (errno == EINTR) continue;
            return;
        }
        if (fds.back().revents != 0) return;
        for (int port = 1; port <= kHubPorts; ++port) {
            if ((fds[port - 1].revents & POLLIN) == 0) continue;
            const ssize_t length = read(fifo_read_[port - 1].get(), buffer, sizeof buffer);
            // "1" switches the port off, "0" on; anything else is ignored as the kernel would
            // refuse it.
            for (ssize_t i = 0; i < length; ++i) {
                if (buffer[i] == '1') switch_port(port, false);
                if (buffer[i] == '0') switch_port(port, true);
            }
        }
    }
}

}  // namespace cradle::hw::sim::usb
