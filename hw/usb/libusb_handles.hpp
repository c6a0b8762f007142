// SPDX-License-Identifier: Apache-2.0
// RAII owners of libusb's handles: the context, a device reference, an open device, a claimed
// interface, a hotplug registration, a device list and a configuration descriptor.
#pragma once

#include "hw/port_path.hpp"

#include <libusb.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace cradle::hw::usb {

// A libusb call failed outside a device transfer (those become hw::DeviceError).
class UsbError : public std::runtime_error {
  public:
    UsbError(const std::string& what, int code);
    int code() const noexcept { return code_; }

  private:
    int code_;
};

// "LIBUSB_ERROR_ACCESS (Access denied (insufficient permissions))"
std::string describe_libusb_error(int code);

// libusb_init / libusb_exit. Shared: every open device keeps the context alive, so that it
// outlives the handles of cameras the daemon still holds after the cradle has stopped.
class LibusbContext {
  public:
    // Throws UsbError.
    static std::shared_ptr<LibusbContext> create();
    ~LibusbContext();
    LibusbContext(const LibusbContext&) = delete;
    LibusbContext& operator=(const LibusbContext&) = delete;
    libusb_context* get() const { return context_; }

  private:
    explicit LibusbContext(libusb_context* context) : context_(context) {}
    libusb_context* context_;
};

// One reference to a libusb_device (libusb_ref_device / libusb_unref_device).
class DeviceRef {
  public:
    DeviceRef() = default;
    // Takes a new reference.
    explicit DeviceRef(libusb_device* device);
    DeviceRef(const DeviceRef& other);
    DeviceRef& operator=(const DeviceRef& other);
    DeviceRef(DeviceRef&& other) noexcept;
    DeviceRef& operator=(DeviceRef&& other) noexcept;
    ~DeviceRef();
    libusb_device* get() const { return device_; }
    explicit operator bool() const { return device_ != nullptr; }

  private:
    libusb_device* device_ = nullptr;
};

// The device's port path (bus and hub ports); also valid for a device that has just left.
PortPath port_path_of(libusb_device* device);

// libusb_get_device_list / libusb_free_device_list.
class DeviceList {
  public:
    // Throws UsbError.
    explicit DeviceList(libusb_context* context);
    ~DeviceList();
    DeviceList(const DeviceList&) = delete;
    DeviceList& operator=(const DeviceList&) = delete;
    std::size_t size() const { return count_; }
    libusb_device* operator[](std::size_t i) const { return list_[i]; }

  private:
    libusb_device** list_ = nullptr;
    std::size_t count_ = 0;
};

// libusb_get_active_config_descriptor (or the first configuration when none is active) /
// libusb_free_config_descriptor.
class ConfigDescriptor {
  public:
    // Throws UsbError.
    explicit ConfigDescriptor(libusb_device* device);
    ~ConfigDescriptor();
    ConfigDescriptor(const ConfigDescriptor&) = delete;
    ConfigDescriptor& operator=(const ConfigDescriptor&) = delete;
    const libusb_config_descriptor& get() const { return *descriptor_; }

  private:
    libusb_config_descriptor* descriptor_ = nullptr;
};

// libusb_open / libusb_close.
class DeviceHandle {
  public:
    // Throws UsbError.
    explicit DeviceHandle(libusb_device* device);
    ~DeviceHandle();
    DeviceHandle(const DeviceHandle&) = delete;
    DeviceHandle& operator=(const DeviceHandle&) = delete;
    libusb_device_handle* get() const { return handle_; }

  private:
    libusb_device_handle* handle_ = nullptr;
};

// libusb_claim_interface / libusb_release_interface. A kernel driver bound to the interface
// is detached first and re-attached on release.
class ClaimedInterface {
  public:
    // Throws UsbError.
    ClaimedInterface(libusb_device_handle* handle, int interface_number);
    ~ClaimedInterface();
    ClaimedInterface(const ClaimedInterface&) = delete;
    ClaimedInterface& operator=(const ClaimedInterface&) = delete;
    int number() const { return interface_number_; }

  private:
    libusb_device_handle* handle_;
    int interface_number_;
    bool reattach_kernel_driver_ = false;
};

// libusb_hotplug_register_callback / libusb_hotplug_deregister_callback.
class HotplugRegistration {
  public:
    // Throws UsbError. With LIBUSB_HOTPLUG_ENUMERATE the callback runs for every device already
    // present before this constructor returns, on the calling thread.
    HotplugRegistration(libusb_context* context, int events, int flags,
                        libusb_hotplug_callback_fn callback, void* user_data);
    ~HotplugRegistration();
    HotplugRegistration(const HotplugRegistration&) = delete;
    HotplugRegistration& operator=(const HotplugRegistration&) = delete;

  private:
    libusb_context* context_;
    libusb_hotplug_callback_handle handle_ = 0;
};

}  // namespace cradle::hw::usb
