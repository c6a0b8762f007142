// SPDX-License-Identifier: Apache-2.0
// A small emulated cradle with its state directory in a temporary folder, for tests that run
// the service core in-process and then check the invariants.
#pragma once

#include "common/fs.hpp"
#include "core/config/config.hpp"
#include "engine/cradle_service.hpp"
#include "engine/service_api.hpp"
#include "engine/status_board.hpp"
#include "sim/sim_cradle.hpp"
#include "tests/support/invariants.hpp"
#include "tests/support/temp_dir.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace cradle::test {

// The service's configuration for tests on the emulated cradle ("sim" backend): its state in
// `state`, small copy chunks, no free-space reserve, the clock trusted. The register and the
// cameras are the caller's.
Config emulated_cradle_config(const std::filesystem::path& state, int workers,
                              std::chrono::milliseconds device_timeout);

// An undocked camera of `recordings` recordings, `total_bytes` in all, with a healthy battery.
hw::sim::CameraSpec small_camera(const std::string& serial, int recordings,
                                 std::uint64_t total_bytes, std::uint64_t seed);

class Rig {
  public:
    // `cameras` cameras in bays 1..n, each with `recordings` small recordings.
    explicit Rig(int cameras = 1, int recordings = 4, std::uint64_t bytes_per_camera = 256 << 10);

    hw::sim::CameraSpec& camera(int index) { return spec.cameras.at(index); }
    // Drives the cameras through the PTP driver and their PTP device models (in-process).
    void use_ptp() { spec.over_ptp = true; }
    // Creates the cameras' storage and records what they hold (call after changing specs).
    void provision();
    // Runs the service until every bay is idle. fs = nullptr uses the real file system.
    std::vector<DockReport> run(FileSystem* fs = nullptr, const char* vfs = nullptr);
    // The same, with every camera's faults cleared, as after re-plugging healthy cameras.
    std::vector<DockReport> run_clean();
    // Runs the service as the daemon runs (no --exit-when-idle), calling `until` on the loop
    // after each change of a bay's status; once it returns true the service stops cleanly and
    // this returns. If that does not happen within `limit` (a failing test), the service is
    // stopped all the same and timed_out() says so.
    using StatusCondition = std::function<bool(const BayStatus&)>;
    std::vector<DockReport> run_until(StatusCondition until,
                                      std::chrono::seconds limit = std::chrono::seconds(30));
    // The same, until `until` returns true for the lines logged so far (it is called on the
    // loop after each line).
    using LogCondition = std::function<bool(const std::vector<std::string>& lines)>;
    std::vector<DockReport> run_until_logged(LogCondition until,
                                             std::chrono::seconds limit = std::chrono::seconds(30));
    bool timed_out() const { return timed_out_; }
    void clear_faults();

    std::vector<std::string> invariant_problems() const;
    // Losses, alterations and writes outside the state directory only (no recovery yet).
    std::vector<std::string> loss_problems() const;
    // Every original recording is archived and gone from its camera.
    std::vector<std::string> not_archived_and_wiped() const;
    hw::sim::SimCradle& cradle() { return *cradle_; }
    const std::vector<std::string>& log_lines() const { return log_lines_; }
    // The lines logged at level error (also in log_lines()).
    const std::vector<std::string>& error_lines() const { return error_lines_; }

    TempDir temp;
    std::filesystem::path root;
    std::filesystem::path state;
    Config config;
    hw::sim::CradleSpec spec;
    Snapshot before;

  private:
    std::vector<DockReport> run_service(StatusCondition until_status, LogCondition until_logged,
                                        std::chrono::seconds limit);

    std::unique_ptr<hw::sim::SimCradle> cradle_;
    std::vector<std::string> log_lines_;
    std::vector<std::string> error_lines_;
    bool timed_out_ = false;
};

// The report of the dock in `bay`; throws if there is none.
const DockReport& report_for(const std::vector<DockReport>& reports, int bay);

// Every bay but `faulty_bay` archived and wiped `recordings` recordings and is ready.
void expect_other_bays_done(const std::vector<DockReport>& reports, int faulty_bay,
                            std::size_t recordings);

// Runs the service on `rig`, whose `bays` cameras hold `recordings` recordings each, and expects
// every recording archived, verified and wiped, every bay ready for duty, and nothing lost.
void run_and_expect_every_bay_offloaded(Rig& rig, std::size_t bays, std::size_t recordings);

// The built cradled-demo (in CRADLED_BIN_DIR, else build/bin): the real service on the emulated
// cradle of its configuration, for tests that run the daemon as a process.
std::string cradled_demo_binary();

// Writes the configuration for running the real cradled on the rig's emulated cradle, cameras
// and register (cradled.toml, and the cradle.toml it names, in rig.root); returns the path of
// cradled.toml.
std::filesystem::path write_daemon_config(const Rig& rig);

// How many of the lines contain `text` (a run_until_logged condition counts with it).
std::size_t lines_with(const std::vector<std::string>& lines, const std::string& text);

// gtest-friendly: "" when there is no problem, else the problems one per line.
std::string join_problems(const std::vector<std::string>& problems);

}  // namespace cradle::test
