// SPDX-License-Identifier: Apache-2.0
#include "sim/umockdev/emulated_usb_cameras.hpp"

#include "sim/sim_camera.hpp"

#include <cstdio>
#include <stdexcept>

namespace cradle::hw::sim::usb {

std::vector<CameraSpec> demo_camera_specs(int count, int recordings,
                                          std::uint64_t bytes_per_camera) {
    static constexpr int kBattery[] = {95, 35, 90, 80};
    std::vector<CameraSpec> specs;
    for (int i = 1; i <= count; ++i) {
        CameraSpec spec;
        char serial[16];
        std::snprintf(serial, sizeof serial, "BWC-%04d", i);
        spec.serial = serial;
        char officer[16];
        std::snprintf(officer, sizeof officer, "PO-%04d", 1000 + i);
        spec.officer_id = officer;
        spec.bay = i;
        spec.recordings = recordings;
        spec.total_bytes = bytes_per_camera;
        spec.seed = static_cast<std::uint64_t>(i);
        spec.battery_percent = kBattery[(i - 1) % 4];
        specs.push_back(std::move(spec));
    }
    return specs;
}

UsbIdentity usb_identity(const CameraSpec& spec) {
    UsbIdentity identity;
    identity.manufacturer = spec.manufacturer;
    identity.product = spec.model;
    identity.serial = spec.serial;
    return identity;
}

ResponderFunction::ResponderFunction(std::shared_ptr<PtpResponder> responder)
    : responder_(std::move(responder)) {}

void ResponderFunction::bulk_out(std::span<const std::byte> data) {
    responder_->bulk_out(data);
}

std::optional<std::vector<std::byte>> ResponderFunction::bulk_in(std::size_t max_bytes) {
    return responder_->bulk_in(max_bytes);
}

std::optional<std::vector<std::byte>> ResponderFunction::interrupt_in(std::size_t max_bytes) {
    return responder_->interrupt_in(max_bytes);
}

bool ResponderFunction::halted(ptp::Endpoint endpoint) const {
    return responder_->halted(endpoint);
}

void ResponderFunction::clear_halt(ptp::Endpoint endpoint) {
    responder_->clear_halt(endpoint);
}

void ResponderFunction::cancel(std::uint32_t transaction_id) {
    responder_->cancel(transaction_id);
}

void ResponderFunction::reset() {
    responder_->reset();
}

std::vector<std::uint16_t> ResponderFunction::status() const {
    return responder_->status();
}

EmulatedUsbCameras::EmulatedUsbCameras(std::vector<CameraSpec> cameras,
                                       std::filesystem::path storage_dir,
                                       std::vector<PtpFaults> ptp_faults,
                                       HubPortSwitching switching)
    : storage_dir_(std::move(storage_dir)), bus_(switching) {
    if (cameras.size() > static_cast<std::size_t>(EmulatedUsbBus::kHubPorts))
        throw std::invalid_argument("more cameras than hub ports");
    for (std::size_t i = 0; i < cameras.size(); ++i) {
        provision_camera(cameras[i], storage_dir_);
        Camera camera;
        camera.spec = std::move(cameras[i]);
        if (i < ptp_faults.size()) camera.faults = ptp_faults[i];
        cameras_.push_back(std::move(camera));
    }
    for (std::size_t i = 0; i < cameras_.size(); ++i) plug(i);
    bus_.on_port_power([this](int port, bool on) {
        const auto index = static_cast<std::size_t>(port - 1);
        std::lock_guard lock(mutex_);
        if (index >= cameras_.size()) return;
        if (!on && bus_.plugged(port)) unplug_locked(index);
        if (on && !bus_.plugged(port)) plug_locked(index);
        changed_.notify_all();
    });
}

EmulatedUsbCameras::~EmulatedUsbCameras() {
    bus_.on_port_power({});
    // Unplugging the cameras also ends a hung camera's wait, so the device threads can stop.
    for (std::size_t i = 0; i < cameras_.size(); ++i) unplug(i);
}

std::string EmulatedUsbCameras::port_name(std::size_t index) {
    return EmulatedUsbBus::port_name(port_index(index));
}

void EmulatedUsbCameras::unplug(std::size_t index) {
    std::lock_guard lock(mutex_);
    unplug_locked(index);
    changed_.notify_all();
}

void EmulatedUsbCameras::plug(std::size_t index) {
    std::lock_guard lock(mutex_);
    plug_locked(index);
    changed_.notify_all();
}

void EmulatedUsbCameras::set_faults(std::size_t index, FaultPlan faults, PtpFaults ptp_faults) {
    std::lock_guard lock(mutex_);
    auto& camera = cameras_.at(index);
    camera.spec.faults = std::move(faults);
    camera.faults = std::move(ptp_faults);
}

bool EmulatedUsbCameras::wait_until_plugged(std::size_t index, bool plugged,
                                            std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout,
                             [&] { return bus_.plugged(port_index(index)) == plugged; });
}

void EmulatedUsbCameras::unplug_locked(std::size_t index) {
    auto& camera = cameras_.at(index);
    if (camera.camera) camera.camera->unplug();
    bus_.unplug(port_index(index));
}

void EmulatedUsbCameras::plug_locked(std::size_t index) {
    auto& camera = cameras_.at(index);
    if (bus_.plugged(port_index(index))) throw std::invalid_argument("camera is plugged in");
    camera.camera = std::make_shared<SimCamera>(camera.spec, camera_dir(storage_dir_, camera.spec));
    camera.responder = std::make_shared<PtpResponder>(camera.camera, camera.faults);
    bus_.plug(port_index(index), std::make_shared<ResponderFunction>(camera.responder),
              usb_identity(camera.spec));
}

bool EmulatedUsbCameras::plugged(std::size_t index) const {
    return bus_.plugged(port_index(index));
}

}  // namespace cradle::hw::sim::usb
