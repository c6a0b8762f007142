// SPDX-License-Identifier: Apache-2.0
#include "tests/usb/usb_rig.hpp"

#include "core/catalog/catalog.hpp"
#include "sim/sim_camera.hpp"

#include <condition_variable>
#include <thread>

namespace cradle::test {
namespace {

// The USB cradle reports the cameras already plugged in from its event thread, after start()
// returned; a service told to exit when idle could look before they arrive. This cradle's
// start() returns once `expected` cameras were reported (or after a few seconds), as the
// emulated cradle's does.
class SettledCradle final : public hw::Cradle, private hw::CradleListener {
  public:
    SettledCradle(hw::Cradle& inner, int expected) : inner_(inner), expected_(expected) {}
    int bay_count() const override { return inner_.bay_count(); }
    void start(hw::CradleListener& listener) override {
        {
            std::lock_guard lock(mutex_);
            listener_ = &listener;
        }
        inner_.start(*this);
        std::unique_lock lock(mutex_);
        settled_.wait_for(lock, std::chrono::seconds(5), [&] { return attached_ >= expected_; });
    }
    void stop() override { inner_.stop(); }
    void set_light(int bay, hw::BayLight light) override {
        inner_.set_light(bay, light);
        if (on_light) on_light(bay, light);
    }
    void set_port_power(int bay, bool on) override {
        if (before_port_power) before_port_power(bay, on);
        inner_.set_port_power(bay, on);
    }

    // Set before start().
    std::function<void(int bay, hw::BayLight light)> on_light;
    std::function<void(int bay, bool on)> before_port_power;

  private:
    void camera_attached(int bay, const std::string& port_path,
                         std::shared_ptr<hw::CameraDriver> camera) override {
        std::lock_guard lock(mutex_);
        listener_->camera_attached(bay, port_path, std::move(camera));
        ++attached_;
        settled_.notify_all();
    }
    void camera_detached(int bay) override {
        std::lock_guard lock(mutex_);
        listener_->camera_detached(bay);
    }

    hw::Cradle& inner_;
    const int expected_;
    std::mutex mutex_;
    std::condition_variable settled_;
    hw::CradleListener* listener_ = nullptr;
    int attached_ = 0;
};

}  // namespace

UsbRig::UsbRig(int cameras, int recordings, std::uint64_t bytes_per_camera) {
    root = temp.path();
    state = root / "state";
    spec.bays = cameras;
    spec.storage_dir = root / "cameras";
    ptp_faults_.resize(static_cast<std::size_t>(cameras));
    for (int i = 0; i < cameras; ++i) {
        hw::sim::CameraSpec camera;
        camera.serial = "USB-" + std::to_string(i + 1);
        camera.bay = i + 1;
        camera.recordings = recordings;
        camera.total_bytes = bytes_per_camera;
        camera.seed = 2000 + static_cast<std::uint64_t>(i);
        camera.battery_percent = 95;
        spec.cameras.push_back(camera);
        config.register_entries.push_back(RegisterEntry{
            camera.serial, "Custodian A", "Officer " + std::to_string(i + 1), "Team head"});

        hw::usb::BaySpec bay;
        bay.number = i + 1;
        bay.port = hw::sim::usb::EmulatedUsbBus::port_name(i + 1);
        bay.hub_port = bay.port;
        usb_spec.bays.push_back(bay);
    }
    hw::usb::DeviceRule still_image;
    still_image.name = "Still Image camera";
    still_image.interface_class = 6;
    usb_spec.devices.push_back(still_image);
    usb_spec.leds_dir = root / "leds";

    config.state_dir = state;
    config.backend = "usb";
    config.workers = 4;
    config.copy.chunk_bytes = 64 << 10;
    config.copy.reserve_bytes = 0;
    config.copy.device_timeout = std::chrono::milliseconds(3000);
    config.device_timeout = std::chrono::milliseconds(3000);
    config.clock_trust = ClockTrust::always;
}

void UsbRig::plug_in() {
    for (const auto& camera : spec.cameras) hw::sim::provision_camera(camera, spec.storage_dir);
    if (before.recordings.empty()) before = take_snapshot(spec, root, state);
    usb_ = std::make_unique<hw::sim::usb::EmulatedUsbCameras>(spec.cameras, spec.storage_dir,
                                                              ptp_faults_, hub_switching);
}

hw::usb::UsbCradleOptions UsbRig::cradle_options() {
    hw::usb::UsbCradleOptions options;
    options.camera_factory = hw::usb::ptp_camera_factory();
    options.log = [this](hw::bay::LogLevel, int, const std::string& text) {
        std::lock_guard lock(log_mutex_);
        log_lines_.push_back(text);
    };
    return options;
}

Log UsbRig::service_log() {
    return Log([this](LogLevel, const LogFields& fields, const std::string& message) {
        std::lock_guard lock(log_mutex_);
        log_lines_.push_back(format_log_line(fields, message));
    });
}

int UsbRig::plugged_count() const {
    int plugged = 0;
    for (std::size_t i = 0; i < usb_->size(); ++i) plugged += usb_->plugged(i) ? 1 : 0;
    return plugged;
}

std::vector<DockReport> UsbRig::run() {
    if (!usb_) plug_in();
    hw::usb::UsbCradle usb_cradle(usb_spec, cradle_options());
    SettledCradle cradle(usb_cradle, plugged_count());
    PosixFileSystem posix;
    CradleService service(config, cradle, posix, service_log());
    RunOptions run_options;
    run_options.exit_when_idle = true;
    service.run(run_options);
    return service.reports();
}

UsbRig::RunUntilResult UsbRig::run_until(const RunUntil& until) {
    if (!usb_) plug_in();
    hw::usb::UsbCradle usb_cradle(usb_spec, cradle_options());
    SettledCradle cradle(usb_cradle, plugged_count());
    PosixFileSystem posix;
    CradleService service(config, cradle, posix, service_log());

    std::mutex mutex;
    std::condition_variable finished;
    RunUntilResult result;
    bool returned = false;
    cradle.on_light = [&](int bay, hw::BayLight light) {
        std::lock_guard lock(mutex);
        result.lights[bay].push_back(light);
        if (!result.done && until.done && until.done(result.lights)) {
            result.done = true;
            finished.notify_all();
            service.stop();
        }
    };
    cradle.before_port_power = until.before_port_power;
    std::thread timeout([&] {
        std::unique_lock lock(mutex);
        if (!finished.wait_for(lock, until.timeout, [&] { return result.done || returned; }))
            service.stop();
    });
    service.run(RunOptions{});
    {
        std::lock_guard lock(mutex);
        returned = true;
    }
    finished.notify_all();
    timeout.join();
    result.reports = service.reports();
    return result;
}

std::vector<std::string> UsbRig::log_lines() const {
    std::lock_guard lock(log_mutex_);
    return log_lines_;
}

std::string UsbRig::log_text() const {
    std::string text;
    for (const auto& line : log_lines()) text += line + "\n";
    return text;
}

std::vector<std::string> UsbRig::invariant_problems() const {
    return check_invariants(before, spec, root, state);
}

std::vector<std::string> UsbRig::loss_problems() const {
    return check_invariants(before, spec, root, state, /*with_state_verification=*/false);
}

std::vector<std::string> UsbRig::not_archived_and_wiped() const {
    return recordings_left_on_cameras(spec);
}

}  // namespace cradle::test
