// SPDX-License-Identifier: Apache-2.0
// The real USB path end to end: emulated cameras plugged into an emulated bus (umockdev), the
// production UsbCradle with the PTP driver finding them through libusb, and the service core
// offloading them, with the state directory and the cameras' storage in a temporary folder so
// that the invariant checker can judge the outcome.
#pragma once

#include "common/fs.hpp"
#include "common/log.hpp"
#include "core/config/config.hpp"
#include "engine/cradle_service.hpp"
#include "hw/usb/usb_cradle.hpp"
#include "sim/umockdev/emulated_usb_cameras.hpp"
#include "tests/support/invariants.hpp"
#include "tests/support/temp_dir.hpp"

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace cradle::test {

class UsbRig {
  public:
    // `cameras` cameras in bays (and hub ports) 1..n, each with `recordings` recordings.
    explicit UsbRig(int cameras, int recordings = 4, std::uint64_t bytes_per_camera = 256 << 10);

    hw::sim::CameraSpec& camera(int index) { return spec.cameras.at(index); }
    hw::sim::PtpFaults& ptp_faults(int index) { return ptp_faults_.at(index); }

    // Provisions the cameras and plugs them in (after changing specs and faults).
    void plug_in();
    // Runs the service over the USB cradle until every bay is idle.
    std::vector<DockReport> run();

    // The lights the service set so far, per bay, in order.
    using LightHistory = std::map<int, std::vector<hw::BayLight>>;
    struct RunUntil {
        // Checked after each light the service sets; the service stops once it holds. The
        // dock that set that light has ended in the catalog, but its report may be missing.
        std::function<bool(const LightHistory&)> done;
        // Called before the service switches a bay's port power (on a worker thread).
        std::function<void(int bay, bool on)> before_port_power;
        std::chrono::milliseconds timeout{20000};
    };
    struct RunUntilResult {
        bool done = false;  // false: stopped by the timeout
        LightHistory lights;
        std::vector<DockReport> reports;
    };
    // Runs the service without exiting when idle (a camera that is power-cycled comes back by
    // hotplug some time after its port is switched on) until `until.done` holds.
    RunUntilResult run_until(const RunUntil& until);

    hw::sim::usb::EmulatedUsbCameras& usb() { return *usb_; }
    std::vector<std::string> invariant_problems() const;
    std::vector<std::string> loss_problems() const;
    std::vector<std::string> not_archived_and_wiped() const;
    std::vector<std::string> log_lines() const;
    // The lines logged so far, each ending with a newline: what a failing test shows.
    std::string log_text() const;

    TempDir temp;
    std::filesystem::path root;
    std::filesystem::path state;
    Config config;
    hw::sim::CradleSpec spec;  // the cameras, for the checker
    hw::usb::UsbCradleSpec usb_spec;
    // How the emulated hub's ports are switched; set before plug_in().
    hw::sim::usb::HubPortSwitching hub_switching = hw::sim::usb::HubPortSwitching::disable_files;
    Snapshot before;

  private:
    hw::usb::UsbCradleOptions cradle_options();
    Log service_log();
    int plugged_count() const;

    std::vector<hw::sim::PtpFaults> ptp_faults_;
    std::unique_ptr<hw::sim::usb::EmulatedUsbCameras> usb_;
    mutable std::mutex log_mutex_;  // the cradle logs from its event thread
    std::vector<std::string> log_lines_;
};

}  // namespace cradle::test
