// SPDX-License-Identifier: Apache-2.0
// The service core: recovery at start-up, then one single-threaded event loop that runs one
// session per docked camera. Blocking work (device I/O, hashing, fsync) runs on a small bounded
// worker pool and posts back. main() and the tests drive it directly; front-ends (D-Bus,
// systemd) reach it through ServiceApi (RunOptions::on_ready).
#pragma once

#include "common/fs.hpp"
#include "common/log.hpp"
#include "core/config/config.hpp"
#include "engine/dock_report.hpp"
#include "engine/service_api.hpp"
#include "hw/cradle.hpp"

#include <functional>
#include <memory>
#include <vector>

namespace cradle {

struct RunOptions {
    // Return once every bay is idle (its camera's session has ended, or it is empty).
    bool exit_when_idle = false;
    // Handle SIGTERM and SIGINT by stopping cleanly.
    bool handle_signals = false;
    // Called once on the loop's thread after recovery, before the loop runs and before any
    // camera is handled: the front-ends it returns run beside the service until it stops
    // (systemd READY=1 belongs here).
    std::function<std::vector<std::unique_ptr<Frontend>>(ServiceApi&)> on_ready;
};

class CradleService {
  public:
    // sqlite_vfs: an SQLite VFS name for the catalog (tests inject faults); nullptr = default.
    CradleService(Config config, hw::Cradle& cradle, FileSystem& fs, Log log = Log(),
                  const char* sqlite_vfs = nullptr);
    ~CradleService();
    CradleService(const CradleService&) = delete;
    CradleService& operator=(const CradleService&) = delete;

    // Recovery (staging, uncommitted archive files, interrupted docks), then the event loop.
    // Returns when stopped, or when idle with exit_when_idle.
    void run(const RunOptions& options);
    // A clean stop, as on SIGTERM: each bay's current step ends (a copy at its next chunk) and
    // is recorded, then run() returns. Thread-safe.
    void stop();

    // Every dock that ended, in the order they ended.
    std::vector<DockReport> reports() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace cradle
