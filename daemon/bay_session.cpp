#include "daemon/bay_session.hpp"

#include <sys/timex.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace cradle {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;
using std::chrono::system_clock;

// Longest recording name the cradle accepts from a camera (the name is kept as data, never as
// a path; longer ones are left on the camera and reported).
constexpr std::size_t kMaxNameBytes = 4096;

std::int64_t unix_now() {
    return duration_cast<std::chrono::seconds>(system_clock::now().time_since_epoch()).count();
}

// A step of the session failed in a way that ends the dock with a custodian's attention.
struct SessionAbort {
    std::string reason;
};

// The service is stopping: the dock ends where it is, and the next start does the rest.
struct ServiceStopping {};

class BaySession {
  public:
    BaySession(BayContext& context, int bay, std::shared_ptr<hw::CameraDriver> camera)
        : ctx_(context), bay_(bay), camera_(std::move(camera)) {
        report_.bay = bay;
        fields_.bay = bay;
    }

    asio::awaitable<DockReport> run() {
        set_light(hw::BayLight::working);
        std::string step = "identify";
        try {
            ctx_.status.set_phase(bay_, BayPhase::identifying);
            co_await identify();
            step = "health check";
            ctx_.status.set_phase(bay_, BayPhase::checking);
            co_await check_health();
            step = "clock sync";
            ctx_.status.set_phase(bay_, BayPhase::clock);
            co_await sync_clock();
            step = "offload";
            check_stopping();
            ctx_.status.set_phase(bay_, BayPhase::offloading);
            auto listing = co_await list(/*for_wipe=*/false);
            co_await offload(listing);
            step = "wipe";
            check_stopping();
            ctx_.status.set_phase(bay_, BayPhase::wiping);
            co_await wipe();
            step = "final health check";
            ctx_.status.set_phase(bay_, BayPhase::finishing);
            co_await final_health();
            decide_readiness();
        } catch (const hw::DeviceError& e) {
            device_failed(step, e);
        } catch (const ArchiveError& e) {
            needs_custodian(step + ": archive: " + e.what());
        } catch (const CatalogError& e) {
            needs_custodian(step + ": catalog: " + e.what());
        } catch (const SessionAbort& e) {
            needs_custodian(e.reason);
        } catch (const ServiceStopping&) {
            // The light stays amber: the camera is not done, and the next start takes it up.
            report_.light = hw::BayLight::working;
            report_.outcome = "stopped during " + step +
                              ": the service is stopping; the next start finishes this dock";
        } catch (const std::exception& e) {
            needs_custodian(step + ": " + e.what());
        }
        co_await finish();
        co_return report_;
    }

  private:
    void check_stopping() const {
        if (ctx_.stopping) throw ServiceStopping{};
    }

    void set_light(hw::BayLight light) {
        ctx_.cradle.set_light(bay_, light);
        ctx_.status.set_light(bay_, light);
    }

    hw::Deadline deadline() const { return hw::SteadyClock::now() + ctx_.config.device_timeout; }

    template <typename F>
    auto device(F f) {
        return run_blocking(&ctx_.workers, f);
    }

    template <typename F>
    auto catalog(F f) {
        return run_blocking(&ctx_.catalog_strand, f);
    }

    // Audit rows are written as they happen, so that a crash loses none.
    // Parameters by reference: a temporary argument lives until the co_await completes, and
    // by-value coroutine parameters hit the GCC 12 bug described at run_blocking.
    asio::awaitable<void> audit(const std::string& event, const std::string& detail) {
        AuditEvent entry{event, bay_, report_.serial, 0, detail};
        co_await catalog([this, &entry] { ctx_.catalog.audit(entry, unix_now()); });
    }

    asio::awaitable<void> identify() {
        auto id = co_await device([this] { return camera_->identify(deadline()); });
        std::string serial = sanitize_text(id.serial, 64);
        if (serial.empty()) throw SessionAbort{"the camera reports no serial number"};
        report_.serial = serial;
        report_.model = sanitize_text(id.model, 64);
        report_.firmware = sanitize_text(id.firmware, 64);
        report_.identified = true;
        fields_.device_serial = serial;
        ctx_.status.set_device(bay_, report_.serial, report_.model);

        // (No structured bindings of co_await results: GCC 12 miscompiles them in coroutines.)
        auto registered = co_await catalog([this, &id] {
            auto now = unix_now();
            DeviceRow row =
                ctx_.catalog.upsert_device(id.serial, id.manufacturer, id.model, id.firmware, now);
            std::int64_t dock_id = ctx_.catalog.begin_dock(row.id, bay_, now);
            return std::pair{row, dock_id};
        });
        const DeviceRow& device = registered.first;
        device_ = device;
        dock_id_ = registered.second;
        report_.registered = device.registered;
        report_.custodian = device.custodian;
        report_.officer = device.officer;
        ctx_.log.info(fields_, "docked: " + report_.model + " firmware " + report_.firmware +
                                   (device.registered ? ", custodian " + device.custodian +
                                                            ", officer " + device.officer
                                                      : ", not in the register"));
        co_await audit("dock.start", "model " + report_.model + ", firmware " + report_.firmware);
        if (!device.registered) {
            co_await audit("device.unregistered",
                           "camera not in the register: footage is archived, custodian to act");
        }
    }

    asio::awaitable<void> check_health() {
        auto health = co_await device([this] { return camera_->health(deadline()); });
        report_.health_checked = true;
        report_.battery_percent = std::clamp(health.battery_percent, 0, 100);
        for (const auto& fault : health.faults) {
            if (report_.faults.size() >= 16) break;  // a device cannot flood the report
            report_.faults.push_back(sanitize_text(fault, 128));
        }
        HealthCheckRow row;
        row.dock_session_id = dock_id_;
        row.battery_percent = report_.battery_percent;
        row.charging = health.charging;
        for (const auto& fault : report_.faults) {
            row.faults += (row.faults.empty() ? "" : "; ") + fault;
        }
        row.storage_total_bytes = health.storage_total_bytes;
        row.storage_free_bytes = health.storage_free_bytes;
        co_await catalog([this, &row] {
            row.at = unix_now();
            ctx_.catalog.add_health_check(row);
        });
        ctx_.log.info(fields_, "health: battery " + std::to_string(report_.battery_percent) + "%" +
                                   (health.charging ? " (charging)" : "") + ", " +
                                   (report_.faults.empty() ? "no faults"
                                                           : std::to_string(report_.faults.size()) +
                                                                 " fault(s): " + row.faults));
    }

    // The camera's clock minus the cradle's, measured against the midpoint of the request.
    asio::awaitable<std::int64_t> measure_drift() {
        auto drift = co_await device([this] {
            auto before = system_clock::now();
            auto camera_time = camera_->clock(deadline());
            auto after = system_clock::now();
            auto midpoint = before + (after - before) / 2;
            return duration_cast<milliseconds>(camera_time - midpoint).count();
        });
        co_return static_cast<std::int64_t>(drift);
    }

    asio::awaitable<void> sync_clock() {
        // Measured before anything is set, so that the record shows how far off it was.
        std::int64_t drift_ms = co_await measure_drift();
        report_.clock_measured = true;
        report_.clock_drift_ms = drift_ms;

        bool trusted = ctx_.config.clock_trust == ClockTrust::always ||
                       (ctx_.config.clock_trust == ClockTrust::ntp && system_clock_synchronised());
        bool beyond =
            std::llabs(drift_ms) > duration_cast<milliseconds>(ctx_.config.clock_max_drift).count();
        if (beyond && trusted) {
            co_await device([this] { camera_->set_clock(system_clock::now(), deadline()); });
            // Read back: a camera that accepts the time but keeps its own is not corrected.
            report_.clock_drift_after_ms = co_await measure_drift();
            report_.clock_corrected =
                std::llabs(report_.clock_drift_after_ms) <=
                duration_cast<milliseconds>(ctx_.config.clock_max_drift).count();
            report_.clock_note =
                report_.clock_corrected
                    ? "corrected; now " + format_drift(report_.clock_drift_after_ms)
                    : "not corrected: the camera kept its clock, still " +
                          format_drift(report_.clock_drift_after_ms) + " off";
        } else if (beyond) {
            report_.clock_note = ctx_.config.clock_trust == ClockTrust::never
                                     ? "not corrected: clock setting is disabled"
                                     : "not corrected: the cradle's clock is not synchronised";
        } else {
            report_.clock_note = "within tolerance";
        }
        ClockSyncRow row;
        row.dock_session_id = dock_id_;
        row.drift_ms = drift_ms;
        row.corrected = report_.clock_corrected;
        row.note = report_.clock_note;
        co_await catalog([this, &row] {
            row.at = unix_now();
            ctx_.catalog.add_clock_sync(row);
        });
        std::string message = "clock drift " + format_drift(drift_ms) + ": " + report_.clock_note;
        if (report_.clock_corrected) {
            ctx_.log.warning(fields_, message);
            co_await audit("clock.corrected",
                           "drift " + std::to_string(drift_ms) + " ms, afterwards " +
                               std::to_string(report_.clock_drift_after_ms) + " ms");
        } else if (beyond) {
            ctx_.log.warning(fields_, message);
        } else {
            ctx_.log.info(fields_, message);
        }
    }

    static std::string format_drift(std::int64_t drift_ms) {
        std::ostringstream out;
        out << (drift_ms >= 0 ? "+" : "-");
        std::int64_t magnitude = std::llabs(drift_ms);
        out << magnitude / 1000 << '.' << (magnitude % 1000) / 100 << " s";
        return out.str();
    }

    // Lists and validates what the camera holds. Recordings that fail validation stay on the
    // camera and are reported; a listing that is inconsistent as a whole aborts the dock.
    asio::awaitable<std::vector<hw::RecordingInfo>> list(bool for_wipe) {
        auto listing = co_await device(
            [this] { return camera_->list_recordings(ctx_.config.max_recordings, deadline()); });
        if (listing.size() > ctx_.config.max_recordings) {
            throw hw::DeviceError(hw::DeviceError::Kind::protocol,
                                  "listing holds " + std::to_string(listing.size()) +
                                      " recordings, more than the limit of " +
                                      std::to_string(ctx_.config.max_recordings));
        }
        std::set<std::uint32_t> handles;
        std::vector<hw::RecordingInfo> accepted;
        std::size_t rejected = 0;
        std::string first_problem;
        for (auto& info : listing) {
            if (!handles.insert(info.handle).second) {
                throw hw::DeviceError(
                    hw::DeviceError::Kind::protocol,
                    "listing names object handle " + std::to_string(info.handle) + " twice");
            }
            std::string problem;
            if (info.name.size() > kMaxNameBytes) {
                problem = "name of " + std::to_string(info.name.size()) + " bytes";
            } else if (info.size > ctx_.config.max_recording_bytes) {
                problem = "declared size " + std::to_string(info.size) + " bytes";
            }
            if (!problem.empty()) {
                ++rejected;
                if (first_problem.empty()) first_problem = problem;
                continue;
            }
            accepted.push_back(std::move(info));
        }
        if (!for_wipe) {
            report_.recordings_found = listing.size();
            rejected_ += rejected;
            if (rejected > 0) {
                ctx_.log.warning(fields_, std::to_string(rejected) +
                                              " recording(s) refused and left on the camera (" +
                                              first_problem + ")");
                if (rejected_reason_.empty()) rejected_reason_ = first_problem;
            }
            ctx_.log.info(fields_, std::to_string(listing.size()) + " recording(s) on the camera");
        }
        co_return accepted;
    }

    RecordingKey key_of(const hw::RecordingInfo& info) const {
        return RecordingKey{device_.id, info.handle, info.name, info.size, info.captured_unix_s};
    }

    // An archived recording that is no longer on its camera was deleted by a dock that ended
    // (unplug, crash) between the deletion and its catalog entry: record the wipe now.
    asio::awaitable<void> reconcile_wipes(const std::vector<hw::RecordingInfo>& listing) {
        co_await catalog([this, &listing] {
            for (const auto& row : ctx_.catalog.recordings_in_state(RecordingState::archived)) {
                if (row.key.device_id != device_.id) continue;
                bool on_camera = std::any_of(listing.begin(), listing.end(), [&](const auto& info) {
                    return info.name == row.key.name && info.handle == row.key.handle &&
                           info.size == row.key.size &&
                           info.captured_unix_s == row.key.captured_unix_s;
                });
                if (on_camera) continue;
                ctx_.catalog.mark_wiped(row.id, unix_now(),
                                        AuditEvent{"recording.wiped", bay_, report_.serial, row.id,
                                                   "no longer on the camera at a later dock"});
            }
        });
    }

    asio::awaitable<void> offload(const std::vector<hw::RecordingInfo>& listing) {
        co_await reconcile_wipes(listing);
        std::uint64_t planned_bytes = 0;
        for (const auto& info : listing) planned_bytes += info.size;
        ctx_.status.offload_planned(bay_, static_cast<std::uint32_t>(listing.size()),
                                    planned_bytes);
        for (const auto& info : listing) {
            check_stopping();
            RecordingKey key = key_of(info);
            RecordingRow row =
                co_await catalog([this, &key] { return ctx_.catalog.begin_recording(key); });
            LogFields fields = fields_;
            fields.recording_id = row.id;
            if (row.state != RecordingState::copying) {
                // Archived at an earlier dock whose wipe did not happen (unplug, crash).
                bool present =
                    co_await device([this, &row] { return ctx_.store.exists(row.archive_path); });
                if (!present) {
                    throw SessionAbort{"recording " + std::to_string(row.id) +
                                       " is catalogued as archived but its archive file is "
                                       "missing; nothing is wiped"};
                }
                ++report_.already_archived;
                to_wipe_.push_back(info);
                ctx_.status.recording_finished(bay_, info.size);
                continue;
            }
            auto copied = co_await copy_with_retries(info, row.id, fields);
            ctx_.status.recording_finished(bay_, info.size);
            if (!copied) continue;  // left on the camera; the dock ends needing a custodian
            const ArchivedCopy& copy = *copied;
            // If this commit fails, the file stays where it is: whether the transaction made it
            // to the disk after all is for start-up recovery to read from the catalog, which
            // removes the file only if the row is not archived.
            AuditEvent entry{"recording.archived", bay_, report_.serial, row.id,
                             std::to_string(copy.size) + " bytes, copied and verified"};
            co_await catalog([this, &row, &copy, &entry] {
                ctx_.catalog.mark_archived(row.id, copy.sha256_hex, copy.relative_path, unix_now(),
                                           entry);
            });
            ++report_.archived;
            report_.archived_bytes += copy.size;
            to_wipe_.push_back(info);
            ctx_.log.info(fields, "archived and verified: " + std::to_string(copy.size) +
                                      " bytes, sha256 " + copy.sha256_hex + ", " +
                                      copy.relative_path);
        }
    }

    // Copies one recording, trying again after a failure that a fresh copy may not repeat.
    // Returns nothing when this recording cannot be archived (it stays on the camera and the
    // dock ends needing a custodian); throws for failures that stop the whole dock.
    asio::awaitable<std::optional<ArchivedCopy>> copy_with_retries(const hw::RecordingInfo& info,
                                                                   std::int64_t recording_id,
                                                                   const LogFields& fields) {
        for (int attempt = 1;; ++attempt) {
            bool give_up = false;
            try {
                CopyOptions options = ctx_.config.copy;
                options.cancel = &ctx_.stopping;
                options.progress = &ctx_.status.copy_counter(bay_);
                options.progress->store(0);
                co_return co_await device([this, &info, &recording_id, &options] {
                    return ctx_.store.store(*camera_, info, device_.id, recording_id, unix_now(),
                                            options);
                });
            } catch (const ArchiveError& e) {
                if (e.kind() == ArchiveError::Kind::cancelled) throw ServiceStopping{};
                bool this_recording_only = e.kind() == ArchiveError::Kind::size_mismatch ||
                                           e.kind() == ArchiveError::Kind::verify_failed;
                bool retry =
                    e.kind() != ArchiveError::Kind::no_space && attempt < ctx_.config.copy_attempts;
                ctx_.log.warning(fields, std::string("copy attempt ") + std::to_string(attempt) +
                                             " failed (" + to_string(e.kind()) + "): " + e.what() +
                                             (retry ? "; copying again" : ""));
                if (!retry && !this_recording_only) throw;
                if (!retry) {
                    ++rejected_;
                    if (rejected_reason_.empty()) rejected_reason_ = e.what();
                    give_up = true;
                }
            }
            if (give_up) co_return std::nullopt;
        }
    }

    asio::awaitable<void> wipe() {
        if (to_wipe_.empty()) co_return;
        // Re-check on the camera that each object is still the one that was archived.
        auto now_on_camera = co_await list(/*for_wipe=*/true);
        for (const auto& archived : to_wipe_) {
            check_stopping();
            auto same = std::find_if(
                now_on_camera.begin(), now_on_camera.end(), [&](const hw::RecordingInfo& info) {
                    return info.handle == archived.handle && info.name == archived.name &&
                           info.size == archived.size &&
                           info.captured_unix_s == archived.captured_unix_s;
                });
            if (same == now_on_camera.end()) continue;
            RecordingKey key = key_of(archived);
            auto row = co_await catalog([this, &key] { return ctx_.catalog.find_recording(key); });
            // I1: only what the catalog holds as archived, with its verified hash, is deleted.
            if (!row || row->state != RecordingState::archived || row->sha256_hex.empty()) {
                continue;
            }
            co_await device([this, &archived] { camera_->remove(archived.handle, deadline()); });
            AuditEvent entry{"recording.wiped", bay_, report_.serial, row->id,
                             "deleted from the camera after archival"};
            co_await catalog(
                [this, &row, &entry] { ctx_.catalog.mark_wiped(row->id, unix_now(), entry); });
            ++report_.wiped;
        }
        LogFields fields = fields_;
        ctx_.log.info(fields, "wiped " + std::to_string(report_.wiped) + " recording(s)");
    }

    asio::awaitable<void> final_health() {
        auto health = co_await device([this] { return camera_->health(deadline()); });
        report_.storage_free_after_bytes = health.storage_free_bytes;
        report_.battery_percent = std::clamp(health.battery_percent, 0, 100);
    }

    void decide_readiness() {
        report_.left_on_camera = report_.recordings_found >= report_.wiped
                                     ? report_.recordings_found - report_.wiped
                                     : 0;
        if (rejected_ > 0) {
            needs_custodian(std::to_string(rejected_) +
                            " recording(s) could not be archived and are still on the camera (" +
                            rejected_reason_ + ")");
            return;
        }
        if (!report_.registered) {
            needs_custodian("unregistered device: footage archived and wiped, register it");
            return;
        }
        if (device_.retired) {
            needs_custodian("retired device docked: footage archived and wiped, see the register");
            return;
        }
        std::vector<std::string> reasons;
        if (report_.storage_free_after_bytes < ctx_.config.storage_min_free_bytes) {
            reasons.push_back("storage " + std::to_string(report_.storage_free_after_bytes >> 20) +
                              " MiB free (needs " +
                              std::to_string(ctx_.config.storage_min_free_bytes >> 20) + " MiB)");
        }
        if (report_.battery_percent < ctx_.config.battery_min_percent) {
            reasons.push_back("battery " + std::to_string(report_.battery_percent) + "% (needs " +
                              std::to_string(ctx_.config.battery_min_percent) + "%)");
        }
        for (const auto& fault : report_.faults) reasons.push_back("fault: " + fault);
        if (report_.clock_measured && !report_.clock_corrected &&
            report_.clock_note.rfind("not corrected", 0) == 0) {
            // After a correction the camera ignored, what it reads now is what counts.
            const std::int64_t off = report_.clock_drift_after_ms != 0
                                         ? report_.clock_drift_after_ms
                                         : report_.clock_drift_ms;
            reasons.push_back("clock off by " + format_drift(off));
        }
        if (reasons.empty()) {
            report_.light = hw::BayLight::ready;
            report_.outcome = "ready for duty";
        } else {
            report_.light = hw::BayLight::not_ready;
            report_.outcome = "not ready: ";
            for (std::size_t i = 0; i < reasons.size(); ++i) {
                report_.outcome += (i ? ", " : "") + reasons[i];
            }
        }
    }

    void needs_custodian(const std::string& reason) {
        report_.light = hw::BayLight::needs_custodian;
        report_.outcome = "needs custodian: " + reason;
    }

    void device_failed(const std::string& step, const hw::DeviceError& e) {
        report_.device_timed_out = e.kind() == hw::DeviceError::Kind::timeout;
        if (e.kind() == hw::DeviceError::Kind::gone) {
            report_.light = hw::BayLight::off;
            report_.outcome = "unplugged during " + step +
                              "; what was not archived is still "
                              "on the camera";
            return;
        }
        needs_custodian(step + ": " + hw::to_string(e.kind()) + ": " +
                        sanitize_text(e.what(), 256));
    }

    asio::awaitable<void> finish() {
        report_.left_on_camera = report_.recordings_found >= report_.wiped
                                     ? report_.recordings_found - report_.wiped
                                     : 0;
        bool red = report_.light == hw::BayLight::needs_custodian;
        (red ? ctx_.log.error(fields_, report_.outcome) : ctx_.log.info(fields_, report_.outcome));
        try {
            co_await audit("dock.end", report_.outcome);
            if (dock_id_ != 0) {
                co_await catalog(
                    [this] { ctx_.catalog.end_dock(dock_id_, unix_now(), report_.outcome); });
            }
        } catch (const std::exception& e) {
            ctx_.log.error(fields_, std::string("cannot record the end of the dock: ") + e.what());
            if (report_.light != hw::BayLight::off) {
                needs_custodian(std::string("catalog: ") + e.what());
            }
        }
        set_light(report_.light);
        ctx_.status.finished(bay_, report_.outcome);
    }

    BayContext& ctx_;
    int bay_;
    std::shared_ptr<hw::CameraDriver> camera_;
    DockReport report_;
    LogFields fields_;
    DeviceRow device_;
    std::int64_t dock_id_ = 0;
    std::size_t rejected_ = 0;
    std::string rejected_reason_;
    std::vector<hw::RecordingInfo> to_wipe_;
};

}  // namespace

bool system_clock_synchronised() {
    struct timex tx {};
    // A failed call (-1: a sandbox that refuses it) says nothing, so the clock is not trusted.
    const int state = ::ntp_adjtime(&tx);
    return state >= 0 && state != TIME_ERROR && (tx.status & STA_UNSYNC) == 0;
}

asio::awaitable<DockReport> run_bay_session(BayContext& context, int bay,
                                            std::shared_ptr<hw::CameraDriver> camera) {
    BaySession session(context, bay, std::move(camera));
    co_return co_await session.run();
}

}  // namespace cradle
