// SPDX-License-Identifier: Apache-2.0
// Emulated body cameras as USB devices: each a SimCamera (footage and storage as in the
// demonstration cradle) behind a PtpResponder, plugged into a port of an emulated USB bus so
// that the real libusb code (and any other program run under umockdev) finds and talks to it.
// Camera i sits in hub port i + 1, i.e. at "1-1.<i+1>". Switching a port's power off through
// its sysfs `disable` file unplugs the camera; switching it on plugs in a fresh camera over the
// same storage, as a power cycle restarts a real one.
#pragma once

#include "sim/ptp_responder.hpp"
#include "sim/spec.hpp"
#include "sim/umockdev/emulated_usb_bus.hpp"

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <vector>

namespace cradle::hw::sim::usb {

// Cameras like those of the demonstration: serials BWC-0001.., officers, battery levels and
// deterministic footage (`recordings` files of `bytes_per_camera` bytes in all, seeds 1..n).
std::vector<CameraSpec> demo_camera_specs(int count, int recordings = 10,
                                          std::uint64_t bytes_per_camera = 100ull << 20);

// What the host sees in the descriptors of a camera: manufacturer, model and serial of spec.
UsbIdentity usb_identity(const CameraSpec& spec);

// A PtpResponder as the device side of the usbfs emulation.
class ResponderFunction final : public UsbPtpFunction {
  public:
    explicit ResponderFunction(std::shared_ptr<PtpResponder> responder);
    void bulk_out(std::span<const std::byte> data) override;
    std::optional<std::vector<std::byte>> bulk_in(std::size_t max_bytes) override;
    std::optional<std::vector<std::byte>> interrupt_in(std::size_t max_bytes) override;
    bool halted(ptp::Endpoint endpoint) const override;
    void clear_halt(ptp::Endpoint endpoint) override;
    void cancel(std::uint32_t transaction_id) override;
    void reset() override;
    std::vector<std::uint16_t> status() const override;

  private:
    std::shared_ptr<PtpResponder> responder_;
};

class EmulatedUsbCameras {
  public:
    // Provisions each camera's storage in storage_dir (left alone when it exists) and plugs
    // the cameras in. ptp_faults[i], when given, are camera i's PTP-level faults. At most
    // EmulatedUsbBus::kHubPorts cameras.
    // `switching`: how the hub's ports are switched (see EmulatedUsbBus).
    EmulatedUsbCameras(std::vector<CameraSpec> cameras, std::filesystem::path storage_dir,
                       std::vector<PtpFaults> ptp_faults = {},
                       HubPortSwitching switching = HubPortSwitching::disable_files);
    ~EmulatedUsbCameras();

    std::size_t size() const { return cameras_.size(); }
    static std::string port_name(std::size_t index);

    // Unplugs camera `index` (URBs in flight fail with ENODEV, a "remove" uevent goes out).
    void unplug(std::size_t index);
    // Plugs it in again: a fresh camera over the same storage (what is left on it), with the
    // spec's and ptp_faults' current values, so a test may clear faults before re-plugging.
    void plug(std::size_t index);
    bool plugged(std::size_t index) const;
    // Waits until camera `index` is plugged in (or out), e.g. after a program switched its
    // port's power; false when that did not happen within `timeout`.
    bool wait_until_plugged(std::size_t index, bool plugged, std::chrono::milliseconds timeout);

    // Faults of camera `index` from its next plug-in on (a power cycle through its port
    // included); safe while the port watcher may be plugging it.
    void set_faults(std::size_t index, FaultPlan faults, PtpFaults ptp_faults);

    CameraSpec& spec(std::size_t index) { return cameras_.at(index).spec; }
    PtpFaults& ptp_faults(std::size_t index) { return cameras_.at(index).faults; }
    SimCamera& camera(std::size_t index) { return *cameras_.at(index).camera; }
    PtpResponder& responder(std::size_t index) { return *cameras_.at(index).responder; }
    EmulatedUsbBus& bus() { return bus_; }
    const std::filesystem::path& storage_dir() const { return storage_dir_; }

  private:
    static int port_index(std::size_t index) { return static_cast<int>(index) + 1; }

    struct Camera {
        CameraSpec spec;
        PtpFaults faults;
        std::shared_ptr<SimCamera> camera;
        std::shared_ptr<PtpResponder> responder;
    };

    void unplug_locked(std::size_t index);
    void plug_locked(std::size_t index);

    std::filesystem::path storage_dir_;
    mutable std::mutex mutex_;  // plugging happens on the test's and the port watcher's threads
    std::condition_variable changed_;
    std::vector<Camera> cameras_;
    EmulatedUsbBus bus_;
};

}  // namespace cradle::hw::sim::usb
