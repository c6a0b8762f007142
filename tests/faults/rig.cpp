// SPDX-License-Identifier: Apache-2.0
#include "tests/faults/rig.hpp"

#include <algorithm>

#include "core/catalog/catalog.hpp"
#include "sim/sim_camera.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

namespace cradle::test {

Config emulated_cradle_config(const std::filesystem::path& state, int workers,
                              std::chrono::milliseconds device_timeout) {
    Config config;
    config.state_dir = state;
    config.backend = "sim";
    config.workers = workers;
    config.copy.chunk_bytes = 64 << 10;
    config.copy.reserve_bytes = 0;
    config.copy.device_timeout = device_timeout;
    config.device_timeout = device_timeout;
    config.clock_trust = ClockTrust::always;
    return config;
}

hw::sim::CameraSpec small_camera(const std::string& serial, int recordings,
                                 std::uint64_t total_bytes, std::uint64_t seed) {
    hw::sim::CameraSpec camera;
    camera.serial = serial;
    camera.recordings = recordings;
    camera.total_bytes = total_bytes;
    camera.seed = seed;
    camera.battery_percent = 95;
    return camera;
}

Rig::Rig(int cameras, int recordings, std::uint64_t bytes_per_camera) {
    root = temp.path();
    state = root / "state";
    config = emulated_cradle_config(state, 4, std::chrono::milliseconds(2000));
    spec.bays = std::max(cameras, 1);
    spec.storage_dir = root / "cameras";
    for (int i = 0; i < cameras; ++i) {
        hw::sim::CameraSpec camera =
            small_camera("TEST-" + std::to_string(i + 1), recordings, bytes_per_camera,
                         1000 + static_cast<std::uint64_t>(i));
        camera.bay = i + 1;
        spec.cameras.push_back(camera);
        config.register_entries.push_back(RegisterEntry{
            camera.serial, "Custodian A", "Officer " + std::to_string(i + 1), "Team head"});
    }
}

void Rig::provision() {
    for (const auto& camera : spec.cameras) hw::sim::provision_camera(camera, spec.storage_dir);
    before = take_snapshot(spec, root, state);
}

std::vector<DockReport> Rig::run(FileSystem* fs, const char* vfs) {
    if (before.recordings.empty()) provision();
    PosixFileSystem posix;
    cradle_ = std::make_unique<hw::sim::SimCradle>(spec);
    Log log([this](LogLevel level, const LogFields& fields, const std::string& message) {
        log_lines_.push_back(format_log_line(fields, message));
        if (level == LogLevel::error) error_lines_.push_back(log_lines_.back());
    });
    CradleService service(config, *cradle_, fs ? *fs : posix, log, vfs);
    RunOptions options;
    options.exit_when_idle = true;
    service.run(options);
    return service.reports();
}

namespace {

// Stops the service once the awaited status has come, or when the time allowed is up.
class StatusWatcher final : public Frontend {
  public:
    StatusWatcher(ServiceApi& api, Rig::StatusCondition until, std::chrono::seconds limit,
                  bool& timed_out)
        : limit_timer_(api.io()) {
        api.status().subscribe([&api, until = std::move(until), this](const BayStatus& status) {
            if (done_ || !until(status)) return;
            done_ = true;
            api.request_stop();
        });
        limit_timer_.expires_after(limit);
        limit_timer_.async_wait([&api, &timed_out, this](const boost::system::error_code& ec) {
            if (ec || done_) return;
            done_ = true;
            timed_out = true;
            api.request_stop();
        });
    }
    ~StatusWatcher() override { limit_timer_.cancel(); }

  private:
    boost::asio::steady_timer limit_timer_;
    bool done_ = false;
};

}  // namespace

std::vector<DockReport> Rig::run_until(StatusCondition until, std::chrono::seconds limit) {
    return run_service(std::move(until), {}, limit);
}

std::vector<DockReport> Rig::run_until_logged(LogCondition until, std::chrono::seconds limit) {
    return run_service([](const BayStatus&) { return false; }, std::move(until), limit);
}

std::vector<DockReport> Rig::run_service(StatusCondition until_status, LogCondition until_logged,
                                         std::chrono::seconds limit) {
    if (before.recordings.empty()) provision();
    timed_out_ = false;
    PosixFileSystem posix;
    cradle_ = std::make_unique<hw::sim::SimCradle>(spec);
    CradleService* running = nullptr;
    // Every message reaches the sink on the service's loop, as the conditions are checked.
    Log log([this, &running, &until_logged](LogLevel level, const LogFields& fields,
                                            const std::string& message) {
        log_lines_.push_back(format_log_line(fields, message));
        if (level == LogLevel::error) error_lines_.push_back(log_lines_.back());
        if (until_logged && running != nullptr && until_logged(log_lines_)) running->stop();
    });
    CradleService service(config, *cradle_, posix, log);
    running = &service;
    RunOptions options;
    options.on_ready = [&](ServiceApi& api) {
        std::vector<std::unique_ptr<Frontend>> frontends;
        frontends.push_back(std::make_unique<StatusWatcher>(api, until_status, limit, timed_out_));
        return frontends;
    };
    service.run(options);
    return service.reports();
}

void Rig::clear_faults() {
    for (auto& camera : spec.cameras) camera.faults = {};
}

std::vector<DockReport> Rig::run_clean() {
    clear_faults();
    return run();
}

std::vector<std::string> Rig::invariant_problems() const {
    return check_invariants(before, spec, root, state);
}

std::vector<std::string> Rig::loss_problems() const {
    return check_invariants(before, spec, root, state, /*with_state_verification=*/false);
}

std::vector<std::string> Rig::not_archived_and_wiped() const {
    std::vector<std::string> problems = recordings_left_on_cameras(spec);
    Catalog catalog = Catalog::open_read_only(state / "catalog.sqlite");
    std::size_t wiped = catalog.recordings_in_state(RecordingState::wiped).size();
    if (wiped != before.recordings.size()) {
        problems.push_back("catalog holds " + std::to_string(wiped) + " wiped recording(s), " +
                           std::to_string(before.recordings.size()) + " expected");
    }
    return problems;
}

const DockReport& report_for(const std::vector<DockReport>& reports, int bay) {
    for (const auto& report : reports) {
        if (report.bay == bay) return report;
    }
    throw std::runtime_error("no report for bay " + std::to_string(bay));
}

void expect_other_bays_done(const std::vector<DockReport>& reports, int faulty_bay,
                            std::size_t recordings) {
    for (const auto& report : reports) {
        if (report.bay == faulty_bay) continue;
        EXPECT_EQ(report.wiped, recordings) << "bay " << report.bay << ": " << report.outcome;
        EXPECT_EQ(report.light, hw::BayLight::ready) << "bay " << report.bay;
    }
}

void run_and_expect_every_bay_offloaded(Rig& rig, std::size_t bays, std::size_t recordings) {
    auto reports = rig.run();
    ASSERT_EQ(reports.size(), bays);
    for (const auto& report : reports) {
        EXPECT_EQ(report.archived, recordings) << report.outcome;
        EXPECT_EQ(report.wiped, recordings);
        EXPECT_EQ(report.light, hw::BayLight::ready) << report.outcome;
        EXPECT_EQ(report.outcome, "ready for duty");
        EXPECT_EQ(rig.cradle().light(report.bay), hw::BayLight::ready);
    }
    EXPECT_EQ(join_problems(rig.invariant_problems()), "");
    EXPECT_EQ(join_problems(rig.not_archived_and_wiped()), "");
}

std::string join_problems(const std::vector<std::string>& problems) {
    std::string text;
    for (const auto& problem : problems) text += problem + "\n";
    return text;
}

std::size_t lines_with(const std::vector<std::string>& lines, const std::string& text) {
    return static_cast<std::size_t>(
        std::count_if(lines.begin(), lines.end(),
                      [&](const auto& line) { return line.find(text) != std::string::npos; }));
}

std::string cradled_demo_binary() {
    const char* dir = std::getenv("CRADLED_BIN_DIR");
    return std::string(dir ? dir : "build/bin") + "/cradled-demo";
}

std::filesystem::path write_daemon_config(const Rig& rig) {
    std::ofstream cradle(rig.root / "cradle.toml");
    cradle << "bays = " << rig.spec.bays << "\n";
    for (const auto& camera : rig.spec.cameras) {
        cradle << "[[camera]]\nserial = \"" << camera.serial << "\"\nbay = " << camera.bay
               << "\nrecordings = " << camera.recordings << "\ntotal_bytes = " << camera.total_bytes
               << "\nseed = " << camera.seed << "\nbattery_percent = " << camera.battery_percent
               << "\n[camera.faults]\nthrottle_bytes_per_s = " << camera.faults.throttle_bytes_per_s
               << "\n";
    }
    std::ofstream config(rig.root / "cradled.toml");
    config << "[daemon]\nbackend = \"sim\"\nstate_dir = \"" << rig.state.string() << "\"\n"
           << "[archive]\nreserve_mib = 0\n[readiness]\nclock_trust = \"always\"\n"
           << "[sim]\ncradle = \"cradle.toml\"\nstorage_dir = \"" << rig.spec.storage_dir.string()
           << "\"\n";
    for (const auto& entry : rig.config.register_entries) {
        config << "[[register]]\nserial = \"" << entry.serial << "\"\ncustodian = \""
               << entry.custodian << "\"\nofficer = \"" << entry.officer << "\"\nhead = \""
               << entry.head << "\"\n";
    }
    return rig.root / "cradled.toml";
}

}  // namespace cradle::test
