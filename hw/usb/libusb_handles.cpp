// SPDX-License-Identifier: Apache-2.0
#include "hw/usb/libusb_handles.hpp"

#include <array>
#include <utility>

namespace cradle::hw::usb {

UsbError::UsbError(const std::string& what, int code)
    : std::runtime_error(what + ": " + describe_libusb_error(code)), code_(code) {}

std::string describe_libusb_error(int code) {
    return std::string(libusb_error_name(code)) + " (" +
           libusb_strerror(static_cast<libusb_error>(code)) + ")";
}

std::shared_ptr<LibusbContext> LibusbContext::create() {
    libusb_context* context = nullptr;
    const int rc = libusb_init(&context);
    if (rc != LIBUSB_SUCCESS) throw UsbError("cannot initialise libusb", rc);
    return std::shared_ptr<LibusbContext>(new LibusbContext(context));
}

LibusbContext::~LibusbContext() {
    libusb_exit(context_);
}

DeviceRef::DeviceRef(libusb_device* device) : device_(device) {
    if (device_ != nullptr) libusb_ref_device(device_);
}
DeviceRef::DeviceRef(const DeviceRef& other) : DeviceRef(other.device_) {}
DeviceRef& DeviceRef::operator=(const DeviceRef& other) {
    if (this != &other) *this = DeviceRef(other);
    return *this;
}
DeviceRef::DeviceRef(DeviceRef&& other) noexcept : device_(std::exchange(other.device_, nullptr)) {}
DeviceRef& DeviceRef::operator=(DeviceRef&& other) noexcept {
    if (this != &other) {
        if (device_ != nullptr) libusb_unref_device(device_);
        device_ = std::exchange(other.device_, nullptr);
    }
    return *this;
}
DeviceRef::~DeviceRef() {
    if (device_ != nullptr) libusb_unref_device(device_);
}

PortPath port_path_of(libusb_device* device) {
    PortPath path;
    path.bus = libusb_get_bus_number(device);
    std::array<std::uint8_t, max_port_depth> ports{};
    const int count = libusb_get_port_numbers(device, ports.data(), static_cast<int>(ports.size()));
    if (count > 0) path.ports.assign(ports.begin(), ports.begin() + count);
    return path;
}

DeviceList::DeviceList(libusb_context* context) {
    const ssize_t count = libusb_get_device_list(context, &list_);
    if (count < 0) throw UsbError("cannot list USB devices", static_cast<int>(count));
    count_ = static_cast<std::size_t>(count);
}
DeviceList::~DeviceList() {
    if (list_ != nullptr) libusb_free_device_list(list_, 1);
}

ConfigDescriptor::ConfigDescriptor(libusb_device* device) {
    int rc = libusb_get_active_config_descriptor(device, &descriptor_);
    // An unconfigured device has no active configuration; its first one tells what it offers.
    if (rc == LIBUSB_ERROR_NOT_FOUND) rc = libusb_get_config_descriptor(device, 0, &descriptor_);
    if (rc != LIBUSB_SUCCESS) throw UsbError("cannot read the configuration descriptor", rc);
}
ConfigDescriptor::~ConfigDescriptor() {
    if (descriptor_ != nullptr) libusb_free_config_descriptor(descriptor_);
}

DeviceHandle::DeviceHandle(libusb_device* device) {
    const int rc = libusb_open(device, &handle_);
    if (rc != LIBUSB_SUCCESS) throw UsbError("cannot open the device", rc);
}
DeviceHandle::~DeviceHandle() {
    if (handle_ != nullptr) libusb_close(handle_);
}

ClaimedInterface::ClaimedInterface(libusb_device_handle* handle, int interface_number)
    : handle_(handle), interface_number_(interface_number) {
    // A kernel driver (usually none for a still-image interface) holds the interface until it
    // is detached; 0 or an error here means there is nothing to detach.
    if (libusb_kernel_driver_active(handle_, interface_number_) == 1) {
        const int rc = libusb_detach_kernel_driver(handle_, interface_number_);
        if (rc != LIBUSB_SUCCESS && rc != LIBUSB_ERROR_NOT_FOUND)
            throw UsbError(
                "cannot detach the kernel driver of interface " + std::to_string(interface_number_),
                rc);
        reattach_kernel_driver_ = rc == LIBUSB_SUCCESS;
    }
    const int rc = libusb_claim_interface(handle_, interface_number_);
    if (rc != LIBUSB_SUCCESS) {
        if (reattach_kernel_driver_) libusb_attach_kernel_driver(handle_, interface_number_);
        throw UsbError("cannot claim interface " + std::to_string(interface_number_), rc);
    }
}
ClaimedInterface::~ClaimedInterface() {
    // Both fail harmlessly (NO_DEVICE) when the device has gone.
    libusb_release_interface(handle_, interface_number_);
    if (reattach_kernel_driver_) libusb_attach_kernel_driver(handle_, interface_number_);
}

HotplugRegistration::HotplugRegistration(libusb_context* context, int events, int flags,
                                         libusb_hotplug_callback_fn callback, void* user_data)
    : context_(context) {
    const int rc = libusb_hotplug_register_callback(
        context_, events, flags, LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY,
        LIBUSB_HOTPLUG_MATCH_ANY, callback, user_data, &handle_);
    if (rc != LIBUSB_SUCCESS) throw UsbError("cannot watch for USB devices", rc);
}
HotplugRegistration::~HotplugRegistration() {
    libusb_hotplug_deregister_callback(context_, handle_);
}

}  // namespace cradle::hw::usb
