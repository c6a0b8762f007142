// SPDX-License-Identifier: Apache-2.0
// An emulated cradle: bays with lights and port power, and SimCameras docked in them.
// Hotplug events are delivered to the listener from the calling thread (plug/unplug, or the
// thread of a device operation whose yank fault fired), never while the cradle's lock is held,
// so a listener may call back into the cradle. A yanked camera counts as taken out of its bay.
// Bays are 1-based; an invalid bay number throws std::out_of_range.
#pragma once

#include "hw/cradle.hpp"
#include "sim/sim_camera.hpp"
#include "sim/spec.hpp"

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace cradle::hw::sim {

class SimCradle final : public Cradle {
  public:
    // Provisions the storage of every camera of the spec; cameras with bay > 0 are docked.
    // Throws std::invalid_argument for fewer than one bay or two cameras in one bay.
    explicit SimCradle(CradleSpec spec);
    // Cameras still docked are unplugged: whoever still holds one sees "gone".
    ~SimCradle() override;
    SimCradle(const SimCradle&) = delete;
    SimCradle& operator=(const SimCradle&) = delete;

    int bay_count() const override { return spec_.bays; }
    void start(CradleListener& listener) override;
    // No event is delivered after stop() returns, except one already being delivered then.
    void stop() override;
    void set_light(int bay, BayLight light) override;
    // Power off unplugs the camera in the bay; power on docks it again with its faults cleared
    // (a power cycle revives a camera that stopped answering).
    void set_port_power(int bay, bool on) override;

    // Tests: dock a camera (provisioning its storage if needed), or take it out. A camera
    // docked in a bay whose port is off attaches when the port is powered. Docking into an
    // occupied bay, or a camera that is already docked elsewhere, throws std::invalid_argument.
    void plug(int bay, const CameraSpec& camera);
    void unplug(int bay);

    // The camera attached in the bay; null when the bay is empty or its port is off.
    std::shared_ptr<SimCamera> camera(int bay) const;
    BayLight light(int bay) const;
    // Every light the bay showed after the initial "off", one entry per change.
    std::vector<BayLight> light_history(int bay) const;
    const CradleSpec& spec() const { return spec_; }

  private:
    struct Bay {
        std::optional<CameraSpec> docked;   // the camera in the bay, even while its port is off
        std::shared_ptr<SimCamera> camera;  // attached: docked and powered
        BayLight light = BayLight::off;
        std::vector<BayLight> history;
        bool powered = true;
    };
    // Attaches the docked camera and reports it; returns with the lock released.
    void attach_locked(int bay, const CameraSpec& camera, std::unique_lock<std::mutex>& lock);
    // Takes the bay's camera out (it fails with "gone" from now on) and reports the detach;
    // releases the lock before calling the listener.
    void detach_locked(int bay, std::unique_lock<std::mutex>& lock);
    void camera_yanked(const SimCamera* camera);
    Bay& bay_locked(int bay);
    const Bay& bay_locked(int bay) const;

    CradleSpec spec_;
    mutable std::mutex mutex_;
    std::vector<Bay> bays_;
    CradleListener* listener_ = nullptr;
};

}  // namespace cradle::hw::sim
