// An emulated cradle: bays with lights and port power, and SimCameras docked in them.
// Hotplug events are delivered to the listener from the calling thread (plug/unplug, or the
// thread of a device operation whose yank fault fired).
#pragma once

#include "hw/cradle.hpp"
#include "hw/sim/sim_camera.hpp"
#include "hw/sim/spec.hpp"

#include <map>
#include <memory>
#include <mutex>
#include <vector>

namespace cradle::hw::sim {

class SimCradle final : public Cradle {
public:
    // Provisions the storage of every camera of the spec; cameras with bay > 0 are docked.
    explicit SimCradle(CradleSpec spec);

    int bay_count() const override { return spec_.bays; }
    void start(CradleListener& listener) override;
    void stop() override;
    void set_light(int bay, BayLight light) override;
    // Power off unplugs the camera in the bay; power on docks it again with its faults cleared
    // (a power cycle revives a camera that stopped answering).
    void set_port_power(int bay, bool on) override;

    // Tests: dock a camera (provisioning its storage if needed), or take it out.
    void plug(int bay, const CameraSpec& camera);
    void unplug(int bay);

    std::shared_ptr<SimCamera> camera(int bay) const;
    BayLight light(int bay) const;
    std::vector<BayLight> light_history(int bay) const;
    const CradleSpec& spec() const { return spec_; }

private:
    struct Bay {
        std::shared_ptr<SimCamera> camera;
        BayLight light = BayLight::off;
        std::vector<BayLight> history;
        bool powered = true;
    };
    void attach_locked(int bay, const CameraSpec& camera, std::unique_lock<std::mutex>& lock);
    Bay& bay_locked(int bay);
    const Bay& bay_locked(int bay) const;

    CradleSpec spec_;
    mutable std::mutex mutex_;
    std::vector<Bay> bays_;
    CradleListener* listener_ = nullptr;
};

}  // namespace cradle::hw::sim
