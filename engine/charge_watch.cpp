// SPDX-License-Identifier: Apache-2.0
#include "engine/charge_watch.hpp"

#include "common/utf8.hpp"
#include "engine/camera_health.hpp"
#include "engine/readiness.hpp"

#include <boost/asio/redirect_error.hpp>

#include <algorithm>
#include <exception>
#include <string>
#include <utility>

namespace cradle {

ChargeWatch::ChargeWatch(BayContext& context, const asio::any_io_executor& loop,
                         const DockReport& report, std::shared_ptr<hw::CameraDriver> camera,
                         std::chrono::steady_clock::time_point first_health_at)
    : ctx_(context),
      camera_(std::move(camera)),
      report_(report),
      timer_(loop),
      first_health_at_(first_health_at),
      last_percent_(report.battery_percent) {
    fields_.bay = report.bay;
    fields_.device_serial = report.serial;
}

void ChargeWatch::cancel() {
    cancelled_ = true;
    timer_.cancel();
}

asio::awaitable<void> ChargeWatch::run(std::shared_ptr<ChargeWatch> self) {
    try {
        co_await self->watch();
    } catch (const std::exception& e) {
        if (!self->cancelled_) {
            self->ctx_.log.error(self->fields_, std::string("charging watch ended: ") + e.what());
        }
    }
}

asio::awaitable<void> ChargeWatch::watch() {
    while (report_.awaiting_charge) {
        timer_.expires_after(ctx_.config.battery_recheck);
        boost::system::error_code ignored;
        co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
        if (cancelled_ || ctx_.stopping) co_return;

        hw::DeviceHealth health;
        std::string failure;
        try {
            health = co_await run_blocking(
                &ctx_.workers, [this] { return camera_->health(device_deadline(ctx_.config)); });
        } catch (const hw::DeviceError& e) {
            // Gone: the camera left its bay, and the detach ends the bay's dock as usual.
            if (e.kind() == hw::DeviceError::Kind::gone) co_return;
            failure = std::string(hw::to_string(e.kind())) + ": " + sanitize_text(e.what(), 256);
        }
        if (cancelled_ || ctx_.stopping) co_return;
        if (!failure.empty()) {
            // The verdict stands, but its estimate is no longer kept up: the bay says so
            // rather than show a time that will not change. The next dock checks afresh.
            ctx_.log.warning(fields_, "battery recheck failed (" + failure +
                                          "); the bay keeps the verdict, not rechecked again");
            ctx_.status.finished(report_.bay, report_.outcome + "; not rechecked: " + failure);
            co_return;
        }
        take_reading(health);
        if (report_.awaiting_charge) {
            // Still charging: the bay shows the fresh level and estimate; nothing to record.
            ctx_.status.finished(report_.bay, report_.outcome);
            ctx_.log.info(fields_, "battery recheck: " + std::to_string(report_.battery_percent) +
                                       "%, " + report_.outcome);
            continue;
        }
        co_await verdict_changed();
    }
}

void ChargeWatch::take_reading(const hw::DeviceHealth& health) {
    const auto now = std::chrono::steady_clock::now();
    const int percent = std::clamp(health.battery_percent, 0, 100);
    rechecks_without_rise_ = percent > last_percent_ ? 0 : rechecks_without_rise_ + 1;
    // A camera that says it charges while its battery stays where it is does not charge.
    const bool not_rising = rechecks_without_rise_ >= kRechecksWithoutRise;
    if (not_rising && health.charging) {
        ctx_.log.warning(fields_, "battery still " + std::to_string(percent) + "% after " +
                                      std::to_string(rechecks_without_rise_) +
                                      " rechecks: taken as not charging");
    }
    report_.charging = health.charging && !not_rising;
    report_.faults = sanitized_faults(health.faults);
    report_.charge_eta_s = report_.charging
                               ? seconds_to_charge(ctx_.config, report_.battery_at_dock_percent,
                                                   now - first_health_at_, percent)
                               : -1;
    report_.battery_percent = percent;
    // What the cradle concluded: a camera taken as not charging is recorded so.
    last_reading_ = health_check_row(health, percent, report_.charging, report_.faults);
    last_percent_ = percent;
    apply_verdict(report_, assess_readiness(ctx_.config, report_));
}

asio::awaitable<void> ChargeWatch::verdict_changed() {
    const int bay = report_.bay;
    const bool ready = report_.light == hw::BayLight::ready;
    if (ready) {
        ctx_.log.info(fields_, "ready for duty after charging in the bay: battery " +
                                   std::to_string(report_.battery_percent) + "%");
    } else {
        ctx_.log.warning(fields_, "while charging in the bay: " + report_.outcome);
    }
    // Recorded before it is shown, so that whoever sees the bay change finds it in the catalog.
    ReadinessRow readiness;
    readiness.serial = report_.serial;
    readiness.dock_session_id = report_.dock_session_id;
    readiness.ready = ready;
    readiness.verdict = report_.outcome;
    AuditEvent entry{"readiness.changed", bay, report_.serial, 0,
                     report_.outcome + " (battery " + std::to_string(report_.battery_percent) +
                         "%, rechecked while charging)"};
    // The reading that changed the verdict is kept as a health check of the dock, so that a
    // report shows the battery the verdict was given for.
    HealthCheckRow reading = last_reading_;
    reading.dock_session_id = report_.dock_session_id;
    try {
        co_await run_blocking(&ctx_.catalog_strand, [this, &reading, &readiness, &entry] {
            ctx_.catalog.record_recheck(reading, readiness, entry, unix_now());
        });
    } catch (const std::exception& e) {
        ctx_.log.error(fields_, std::string("cannot record the new readiness: ") + e.what());
    }
    // The camera may have left while the catalog wrote: then its bay is no longer its own.
    if (cancelled_) co_return;
    ctx_.cradle.set_light(bay, report_.light);
    ctx_.status.set_light(bay, report_.light);
    ctx_.status.finished(bay, report_.outcome);
}

}  // namespace cradle
