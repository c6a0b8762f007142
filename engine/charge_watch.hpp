// SPDX-License-Identifier: Apache-2.0
// Keeps watching a camera whose dock ended "not ready" only for its battery while it charges
// (DockReport::awaiting_charge): every [readiness] battery_recheck_s its health is read again.
// When the battery reaches battery_min_percent and no fault appeared, the verdict becomes
// "ready for duty": the light turns green, the status board shows it, and the reading (a health
// check of the dock), a readiness row and an audit event record it in one transaction. A verdict
// that changes otherwise (a fault, the charging stopped) is shown and recorded the same way, and
// ends the watch.
//
// The charging rate is measured from the dock's first reading. A camera cannot be trusted to
// say whether it charges (a PTP camera always seems to): after kRechecksWithoutRise rechecks
// in a row in which its battery did not rise, it is taken as not charging, which is a verdict
// change like any other. A recheck that fails (timeout, protocol error) ends the watch; the
// bay's status then says that the verdict was not rechecked, and why.
//
// A watch is not the bay's session: it never keeps the bay from taking the next camera, and
// the service does not wait for it to stop or to go idle. It ends on its own once the verdict
// is settled, and quietly when cancelled (the camera left, another dock began, the service
// stops) or when the camera is gone. Runs on the loop; one timer, never a sleep.
#pragma once

#include "core/catalog/catalog.hpp"
#include "engine/bay_context.hpp"
#include "engine/dock_report.hpp"
#include "engine/loop.hpp"
#include "hw/camera_driver.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <memory>

namespace cradle {

class ChargeWatch {
  public:
    static constexpr int kRechecksWithoutRise = 3;

    // first_health_at: when the dock read report.battery_at_dock_percent (see run_bay_session).
    ChargeWatch(
        BayContext& context, const asio::any_io_executor& loop, const DockReport& report,
        std::shared_ptr<hw::CameraDriver> camera,
        std::chrono::steady_clock::time_point first_health_at = std::chrono::steady_clock::now());
    ChargeWatch(const ChargeWatch&) = delete;
    ChargeWatch& operator=(const ChargeWatch&) = delete;

    // Runs until the watch ends. Never throws.
    static asio::awaitable<void> run(std::shared_ptr<ChargeWatch> self);
    // From the loop: from now on the watch changes nothing of the bay and starts no catalog
    // write (one already under way completes), and it ends at its next step (a device read
    // under way ends by its deadline).
    void cancel();
    bool cancelled() const { return cancelled_; }

  private:
    asio::awaitable<void> watch();
    // A recheck that answered: the new battery level, charging and faults, and the verdict
    // they give, set on the report.
    void take_reading(const hw::DeviceHealth& health);
    // The verdict after a health read changed: shown, recorded and logged.
    asio::awaitable<void> verdict_changed();

    BayContext& ctx_;
    std::shared_ptr<hw::CameraDriver> camera_;
    DockReport report_;
    LogFields fields_;
    asio::steady_timer timer_;
    bool cancelled_ = false;
    // The dock's first reading, for the charging rate; the previous one, to see a rise.
    std::chrono::steady_clock::time_point first_health_at_;
    int last_percent_ = 0;
    int rechecks_without_rise_ = 0;
    // The latest reading, kept as a health check of the dock when it changes the verdict.
    HealthCheckRow last_reading_;
};

}  // namespace cradle
