// SPDX-License-Identifier: Apache-2.0
#include "sim/sim_cradle.hpp"

#include "hw/ptp/ptp_camera.hpp"
#include "sim/ptp_responder.hpp"

#include <stdexcept>
#include <string>
#include <utility>

namespace cradle::hw::sim {
namespace {

std::string port_path_of(int bay) {
    return "sim-1." + std::to_string(bay);
}

// What the daemon drives: the emulated camera itself, or (over_ptp) the PTP driver talking to
// the emulated camera's PTP device model, as it would talk to a camera on USB. Each attach
// is a new USB device, so it gets a fresh link and session.
std::shared_ptr<CameraDriver> driver_for(const CradleSpec& spec, const CameraSpec& camera,
                                         std::shared_ptr<SimCamera> attached) {
    if (!spec.over_ptp) return attached;
    auto responder = std::make_shared<PtpResponder>(std::move(attached), camera.ptp_faults);
    return std::make_shared<ptp::PtpCamera>(std::make_unique<SimPtpTransport>(responder));
}

}  // namespace

SimCradle::SimCradle(CradleSpec spec) : spec_(std::move(spec)) {
    if (spec_.bays < 1) {
        throw std::invalid_argument("an emulated cradle needs at least one bay, not " +
                                    std::to_string(spec_.bays));
    }
    bays_.resize(static_cast<std::size_t>(spec_.bays));
    for (const auto& camera : spec_.cameras) {
        provision_camera(camera, spec_.storage_dir);
    }
    std::unique_lock lock(mutex_);
    for (const auto& camera : spec_.cameras) {
        if (camera.bay == 0) continue;
        Bay& bay = bay_locked(camera.bay);
        if (bay.docked) {
            throw std::invalid_argument("cameras " + bay.docked->serial + " and " + camera.serial +
                                        " are both docked in bay " + std::to_string(camera.bay));
        }
        bay.docked = camera;
        attach_locked(camera.bay, camera, lock);  // no listener yet: nothing is reported
        lock.lock();
    }
}

SimCradle::~SimCradle() {
    std::vector<std::shared_ptr<SimCamera>> cameras;
    {
        std::lock_guard lock(mutex_);
        listener_ = nullptr;
        for (auto& bay : bays_) {
            if (bay.camera) cameras.push_back(std::move(bay.camera));
        }
    }
    // Taking the cradle's lock inside a yank hook is why this happens without it: clearing the
    // hook waits for a running one, which may be waiting for the lock.
    for (const auto& camera : cameras) {
        camera->on_yank({});
        camera->unplug();
    }
}

SimCradle::Bay& SimCradle::bay_locked(int bay) {
    return const_cast<Bay&>(std::as_const(*this).bay_locked(bay));
}

const SimCradle::Bay& SimCradle::bay_locked(int bay) const {
    if (bay < 1 || bay > spec_.bays) {
        throw std::out_of_range("bay " + std::to_string(bay) +
                                " does not exist: the cradle has bays 1 to " +
                                std::to_string(spec_.bays));
    }
    return bays_[static_cast<std::size_t>(bay - 1)];
}

void SimCradle::attach_locked(int bay, const CameraSpec& camera,
                              std::unique_lock<std::mutex>& lock) {
    auto attached = std::make_shared<SimCamera>(camera, camera_dir(spec_.storage_dir, camera));
    attached->on_yank([this, raw = attached.get()] { camera_yanked(raw); });
    bay_locked(bay).camera = attached;
    CradleListener* listener = listener_;
    lock.unlock();
    if (listener) {
        listener->camera_attached(bay, port_path_of(bay),
                                  driver_for(spec_, camera, std::move(attached)));
    }
}

void SimCradle::camera_yanked(const SimCamera* camera) {
    std::unique_lock lock(mutex_);
    for (std::size_t i = 0; i < bays_.size(); ++i) {
        Bay& bay = bays_[i];
        if (bay.camera.get() != camera) continue;
        bay.camera.reset();
        bay.docked.reset();
        CradleListener* listener = listener_;
        lock.unlock();
        if (listener) listener->camera_detached(static_cast<int>(i + 1));
        return;
    }
}

void SimCradle::start(CradleListener& listener) {
    std::vector<std::pair<int, std::shared_ptr<CameraDriver>>> docked;
    {
        std::lock_guard lock(mutex_);
        listener_ = &listener;
        for (std::size_t i = 0; i < bays_.size(); ++i) {
            const Bay& bay = bays_[i];
            if (!bay.camera) continue;
            docked.emplace_back(static_cast<int>(i + 1),
                                driver_for(spec_, bay.camera->spec(), bay.camera));
        }
    }
    for (auto& [bay, camera] : docked) {
        listener.camera_attached(bay, port_path_of(bay), std::move(camera));
    }
}

void SimCradle::stop() {
    std::lock_guard lock(mutex_);
    listener_ = nullptr;
}

void SimCradle::set_light(int bay, BayLight light) {
    std::lock_guard lock(mutex_);
    Bay& slot = bay_locked(bay);
    if (slot.light == light) return;
    slot.light = light;
    slot.history.push_back(light);
}

void SimCradle::set_port_power(int bay, bool on) {
    std::unique_lock lock(mutex_);
    Bay& slot = bay_locked(bay);
    if (slot.powered == on) return;
    slot.powered = on;
    if (on) {
        if (!slot.docked) return;
        slot.docked->faults = FaultPlan{};
        slot.docked->ptp_faults = PtpFaults{};
        attach_locked(bay, *slot.docked, lock);
        return;
    }
    detach_locked(bay, lock);
}

void SimCradle::detach_locked(int bay, std::unique_lock<std::mutex>& lock) {
    Bay& slot = bay_locked(bay);
    std::shared_ptr<SimCamera> camera = std::move(slot.camera);
    slot.camera.reset();
    CradleListener* listener = listener_;
    lock.unlock();
    if (!camera) return;
    camera->unplug();
    camera->on_yank({});  // it may outlive this cradle in its holder's hands
    if (listener) listener->camera_detached(bay);
}

void SimCradle::plug(int bay, const CameraSpec& camera) {
    {
        std::lock_guard lock(mutex_);
        bay_locked(bay);  // an invalid bay fails before any provisioning
    }
    // Provisioning may write gigabytes; it happens outside the lock.
    provision_camera(camera, spec_.storage_dir);
    std::unique_lock lock(mutex_);
    Bay& slot = bay_locked(bay);
    if (slot.docked) {
        throw std::invalid_argument("bay " + std::to_string(bay) + " already holds camera " +
                                    slot.docked->serial);
    }
    for (const auto& other : bays_) {
        if (other.docked &&
            camera_dir(spec_.storage_dir, *other.docked) == camera_dir(spec_.storage_dir, camera)) {
            throw std::invalid_argument("camera " + camera.serial + " is already docked");
        }
    }
    slot.docked = camera;
    slot.docked->bay = bay;
    if (slot.powered) attach_locked(bay, *slot.docked, lock);
}

void SimCradle::unplug(int bay) {
    std::unique_lock lock(mutex_);
    Bay& slot = bay_locked(bay);
    if (!slot.docked) return;
    slot.docked.reset();
    detach_locked(bay, lock);
}

std::shared_ptr<SimCamera> SimCradle::camera(int bay) const {
    std::lock_guard lock(mutex_);
    return bay_locked(bay).camera;
}

BayLight SimCradle::light(int bay) const {
    std::lock_guard lock(mutex_);
    return bay_locked(bay).light;
}

std::vector<BayLight> SimCradle::light_history(int bay) const {
    std::lock_guard lock(mutex_);
    return bay_locked(bay).history;
}

}  // namespace cradle::hw::sim
