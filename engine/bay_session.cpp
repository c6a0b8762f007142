// SPDX-License-Identifier: Apache-2.0
#include "engine/bay_session.hpp"

#include "common/system_clock.hpp"
#include "common/utf8.hpp"
#include "core/archive/recording_proof.hpp"
#include "engine/camera_health.hpp"
#include "engine/readiness.hpp"
#include "engine/recording_match.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <exception>
#include <optional>
#include <set>
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

// Longest officer ID kept from a camera (the register's IDs are far shorter).
constexpr std::size_t kMaxOfficerIdBytes = 64;

// A camera waiting for the central archive is asked whether it is still there this often.
constexpr std::chrono::seconds kRemoteRecheck{30};

// A step of the session failed in a way that ends the dock with a custodian's attention.
struct SessionAbort {
    std::string reason;
};

// The service is stopping: the dock ends where it is, and the next start does the rest.
struct ServiceStopping {};

class BaySession {
  public:
    BaySession(BayContext& context, int bay, std::shared_ptr<hw::CameraDriver> camera,
               std::chrono::steady_clock::time_point* first_health_at)
        : ctx_(context),
          bay_(bay),
          camera_(std::move(camera)),
          first_health_at_out_(first_health_at) {
        report_.bay = bay;
        fields_.bay = bay;
    }

    asio::awaitable<DockReport> run() {
        set_light(hw::BayLight::working);
        std::string step = "identify";
        try {
            ctx_.status.set_phase(bay_, BayPhase::identifying);
            co_await identify();
            // I7: a health or clock step that fails makes the camera not ready; the footage is
            // collected all the same. Only a camera that is gone or stopped answering ends
            // the dock here (its port is power-cycled and the next dock collects).
            step = "health check";
            ctx_.status.set_phase(bay_, BayPhase::checking);
            co_await may_fail(step, &BaySession::check_health);
            step = "clock sync";
            ctx_.status.set_phase(bay_, BayPhase::clock);
            co_await may_fail(step, &BaySession::sync_clock);
            step = "offload";
            check_stopping();
            ctx_.status.set_phase(bay_, BayPhase::offloading);
            auto listing = co_await list(/*for_wipe=*/false);
            co_await offload(listing);
            step = "the wait for the central archive";
            co_await wait_for_central_archive();
            step = "wipe";
            check_stopping();
            ctx_.status.set_phase(bay_, BayPhase::wiping);
            co_await wipe();
            step = "final health check";
            ctx_.status.set_phase(bay_, BayPhase::finishing);
            co_await may_fail(step, &BaySession::final_health);
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
    // An object on the camera and the archived recording its bytes were proven to be (I1).
    struct Proven {
        hw::RecordingInfo info;
        std::int64_t row_id = 0;
        bool was_wiped = false;  // recorded as wiped before: deleted again, not marked again
    };

    void check_stopping() const {
        if (ctx_.stopping) throw ServiceStopping{};
    }

    // A step whose failure leaves the camera not ready while the dock goes on: the camera
    // answered, wrongly or with a refusal.
    static bool step_may_fail(const hw::DeviceError& e) {
        return e.kind() == hw::DeviceError::Kind::protocol ||
               e.kind() == hw::DeviceError::Kind::io || e.kind() == hw::DeviceError::Kind::refused;
    }

    // Runs a step whose failure leaves the camera not ready while the dock goes on (I7).
    asio::awaitable<void> may_fail(const std::string& step,
                                   asio::awaitable<void> (BaySession::*run_step)()) {
        try {
            co_await (this->*run_step)();
        } catch (const hw::DeviceError& e) {
            if (!step_may_fail(e)) throw;
            step_failed(step, e);
        }
    }

    void step_failed(const std::string& step, const hw::DeviceError& e) {
        const std::string reason = step + " failed (" + hw::to_string(e.kind()) + ": " +
                                   sanitize_text(e.what(), 256) + ")";
        report_.step_failures.push_back(reason);
        ctx_.log.warning(fields_, reason + "; the footage is collected all the same");
    }

    void set_light(hw::BayLight light) {
        ctx_.cradle.set_light(bay_, light);
        ctx_.status.set_light(bay_, light);
    }

    hw::Deadline deadline() const { return device_deadline(ctx_.config); }

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
        report_.camera_officer_id = sanitize_text(id.officer_id, kMaxOfficerIdBytes);
        report_.identified = true;
        fields_.device_serial = serial;
        // Two cameras presenting one serial at once cannot be told apart by the catalog: the
        // one identified second is left as it is, footage and all. Checked and claimed on the
        // loop with no suspension in between, so two bays cannot both pass.
        for (const BayStatus& other : ctx_.status.all()) {
            if (other.bay != bay_ && other.phase != BayPhase::empty && other.serial == serial) {
                report_.duplicate_serial_bay = other.bay;
            }
        }
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
        report_.dock_session_id = dock_id_;
        report_.registered = device.registered;
        report_.custodian = device.custodian;
        report_.officer = device.officer;
        ctx_.log.info(fields_,
                      "docked: " + report_.model + " firmware " + report_.firmware +
                          (device.registered
                               ? ", custodian " + device.custodian + ", officer " + device.officer
                               : ", not in the register") +
                          (report_.camera_officer_id.empty()
                               ? ""
                               : "; the camera names officer ID " + report_.camera_officer_id));
        co_await audit("dock.start", "model " + report_.model + ", firmware " + report_.firmware);
        if (report_.duplicate_serial_bay != 0) {
            const std::string why =
                "another camera presenting serial " + serial + " is docked in bay " +
                std::to_string(report_.duplicate_serial_bay) +
                ": this camera is neither offloaded nor wiped; its footage stays on it";
            co_await audit("device.duplicate_serial", why);
            throw SessionAbort{why};
        }
        if (!device.registered) {
            co_await audit("device.unregistered",
                           "camera not in the register: footage is archived, custodian to act");
        }
    }

    asio::awaitable<void> check_health() {
        auto health = co_await device([this] { return camera_->health(deadline()); });
        report_.health_checked = true;
        report_.battery_read = true;
        report_.battery_percent = std::clamp(health.battery_percent, 0, 100);
        report_.battery_at_dock_percent = report_.battery_percent;
        report_.charging = health.charging;
        first_health_at_ = std::chrono::steady_clock::now();
        if (first_health_at_out_ != nullptr) *first_health_at_out_ = first_health_at_;
        report_.faults = sanitized_faults(health.faults);
        HealthCheckRow row =
            health_check_row(health, report_.battery_percent, health.charging, report_.faults);
        row.dock_session_id = dock_id_;
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
            // An object the camera cannot size is bounded by its storage; no recording the
            // cradle accepts is longer than max_recording_bytes, so neither is this one.
            if (!info.size_known) info.size = std::min(info.size, ctx_.config.max_recording_bytes);
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

    // An archived recording that is no longer on its camera was deleted by a dock that ended
    // (unplug, crash) between the deletion and its catalog entry: record the wipe now. An
    // object still listed with the recording's name, size and capture time, under any handle,
    // may be it: then nothing is recorded. This only records; it deletes nothing.
    asio::awaitable<void> reconcile_wipes(const std::vector<hw::RecordingInfo>& listing) {
        co_await catalog([this, &listing] {
            for (const auto& row : ctx_.catalog.recordings_in_state(RecordingState::archived)) {
                if (row.key.device_id != device_.id) continue;
                bool on_camera = std::any_of(listing.begin(), listing.end(), [&](const auto& info) {
                    return may_be_recording(info, row.key);
                });
                if (on_camera) continue;
                ctx_.catalog.mark_wiped(row.id, unix_now(),
                                        AuditEvent{"recording.wiped", bay_, report_.serial, row.id,
                                                   "no longer on the camera at a later dock"});
            }
        });
    }

    // Whether the object `info` on the camera is one of the archived recordings that look like
    // it: its bytes are read from this camera now and must hash to an archived SHA-256 (I1). A
    // name, size, time or handle that matches is never enough: two different recordings can
    // share all of them. Returns the archived row the bytes prove, if any.
    // A short object of unknown size whose bytes match an archived recording is that
    // recording, archived already, and is kept on the camera (*wipe_allowed false).
    asio::awaitable<std::optional<RecordingRow>> prove_archived(
        const hw::RecordingInfo& info, const std::vector<RecordingRow>& lookalikes,
        const LogFields& fields, bool* wipe_allowed) {
        CopyOptions options = ctx_.config.copy;
        options.cancel = &ctx_.stopping;
        options.progress = &ctx_.status.copy_counter(bay_);
        options.progress->store(0);
        CameraBytes bytes;
        try {
            bytes = co_await device(
                [this, &info, &options] { return hash_on_camera(*camera_, info, options); });
        } catch (const ArchiveError& e) {
            if (e.kind() == ArchiveError::Kind::cancelled) throw ServiceStopping{};
            throw;
        }
        for (const auto& row : lookalikes) {
            if (row.sha256_hex == bytes.sha256_hex && row.key.size == bytes.size) {
                *wipe_allowed = bytes.complete;
                co_return row;
            }
        }
        ctx_.log.warning(fields, "an object on the camera has the name, size and capture time of " +
                                     std::to_string(lookalikes.size()) +
                                     " archived recording(s) but other bytes (sha256 " +
                                     bytes.sha256_hex + "): it is archived as a new recording");
        co_return std::nullopt;
    }

    asio::awaitable<void> offload(const std::vector<hw::RecordingInfo>& listing) {
        co_await reconcile_wipes(listing);
        std::uint64_t planned_bytes = 0;
        for (const auto& info : listing) planned_bytes += info.size;
        ctx_.status.offload_planned(bay_, static_cast<std::uint32_t>(listing.size()),
                                    planned_bytes);
        for (const auto& info : listing) {
            check_stopping();
            RecordingKey key = recording_key(device_.id, info);
            auto lookalikes = co_await catalog([this, &key, &info] {
                return ctx_.catalog.archived_lookalikes(key, info.size_known);
            });
            LogFields fields = fields_;
            if (!lookalikes.empty()) {
                const bool taken_up = co_await take_up_archived(info, lookalikes, fields);
                if (taken_up) continue;
            }
            co_await archive(info, key, fields);
        }
    }

    // An object that looks like recordings of the catalog: archived at an earlier dock, perhaps,
    // whose wipe did not happen (unplug, crash); or another recording that looks the same. The
    // bytes tell. Returns whether the object is one of them (then it is not copied again; it is
    // queued for the wipe when its bytes allow).
    asio::awaitable<bool> take_up_archived(const hw::RecordingInfo& info,
                                           const std::vector<RecordingRow>& lookalikes,
                                           LogFields& fields) {
        bool wipe_allowed = false;
        auto proven = co_await prove_archived(info, lookalikes, fields, &wipe_allowed);
        if (!proven) co_return false;
        const RecordingRow& row = *proven;
        fields.recording_id = row.id;
        bool present =
            co_await device([this, &row] { return ctx_.store.exists(row.archive_path); });
        if (!present) {
            throw SessionAbort{"recording " + std::to_string(row.id) +
                               " is catalogued as archived but its archive file is "
                               "missing; nothing is wiped"};
        }
        ++report_.already_archived;
        if (!wipe_allowed) {
            kept_short(fields, row.id);
            ctx_.status.recording_finished(bay_, info.size);
            co_return true;
        }
        to_wipe_.push_back(Proven{info, row.id, row.state == RecordingState::wiped});
        ctx_.status.recording_finished(bay_, info.size);
        ctx_.log.info(fields,
                      "already archived: this camera's bytes hash to sha256 " + row.sha256_hex);
        co_return true;
    }

    // An object the catalog does not hold: copied and verified into the archive, catalogued as
    // archived, and queued for the wipe. One that cannot be archived stays on the camera and
    // the dock ends needing a custodian.
    asio::awaitable<void> archive(const hw::RecordingInfo& info, const RecordingKey& key,
                                  LogFields& fields) {
        RecordingRow row = co_await catalog(
            [this, &key] { return ctx_.catalog.begin_recording(key, report_.camera_officer_id); });
        fields.recording_id = row.id;
        auto copied = co_await copy_with_retries(info, row.id, fields);
        ctx_.status.recording_finished(bay_, info.size);
        if (!copied) co_return;  // left on the camera; the dock ends needing a custodian
        const ArchivedCopy& copy = *copied;
        // If this commit fails, the file stays where it is: whether the transaction made it
        // to the disk after all is for start-up recovery to read from the catalog.
        AuditEvent entry{"recording.archived", bay_, report_.serial, row.id,
                         std::to_string(copy.size) + " bytes, copied and verified"};
        const std::optional<std::uint64_t> archived_size =
            info.size_known ? std::nullopt : std::optional<std::uint64_t>(copy.size);
        co_await catalog([this, &row, &copy, &entry, &archived_size] {
            ctx_.catalog.mark_archived(row.id, copy.sha256_hex, copy.relative_path, unix_now(),
                                       entry, copy.record_sha256_hex, archived_size);
        });
        ++report_.archived;
        report_.archived_bytes += copy.size;
        if (ctx_.archived) ctx_.archived();
        if (!info.size_known && copy.size < info.size_at_least) {
            kept_short(fields, row.id);
            co_return;
        }
        // The copy read this object's bytes from this camera in this dock, and the re-read
        // of the archived file reproduced their hash: the proof I1 asks for.
        to_wipe_.push_back(Proven{info, row.id, false});
        ctx_.log.info(fields, "archived and verified: " + std::to_string(copy.size) +
                                  " bytes, sha256 " + copy.sha256_hex + ", " + copy.relative_path);
    }

    // An object of unknown size that ended before the least the camera says it holds: what
    // arrived is archived, and the object stays on the camera (the rest may be on it).
    void kept_short(const LogFields& fields, std::int64_t row_id) {
        ++kept_short_;
        ctx_.log.warning(fields, "recording " + std::to_string(row_id) +
                                     " ended before the size the camera gives it (4 GiB or "
                                     "more): archived as delivered, kept on the camera");
    }

    // Copies one recording, trying again after a failure that a fresh copy may not repeat.
    // Returns nothing when this recording cannot be archived (it stays on the camera and the
    // dock ends needing a custodian); throws for failures that stop the whole dock.
    asio::awaitable<std::optional<ArchivedCopy>> copy_with_retries(const hw::RecordingInfo& info,
                                                                   std::int64_t recording_id,
                                                                   const LogFields& fields) {
        // The metadata record written beside the file (I6): who the camera is, this dock, and
        // the camera's previous record, which this one chains to.
        RecordIdentity identity{device_.serial,   device_.manufacturer,      device_.model,
                                device_.firmware, report_.camera_officer_id, dock_id_,
                                std::string()};
        identity.previous_record_sha256 =
            co_await catalog([this] { return ctx_.catalog.last_record_hash(device_.id); });
        for (int attempt = 1;; ++attempt) {
            bool give_up = false;
            try {
                CopyOptions options = ctx_.config.copy;
                options.cancel = &ctx_.stopping;
                options.progress = &ctx_.status.copy_counter(bay_);
                options.progress->store(0);
                co_return co_await device([this, &info, &recording_id, &options, &identity] {
                    return ctx_.store.store(*camera_, info, device_.id, recording_id, unix_now(),
                                            options, identity);
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

    // With wipe_after = "remote", the wipe waits until every recording of to_wipe_ is confirmed
    // in the central archive (its size and SHA-256 read back from the store). The camera keeps
    // its footage meanwhile: one taken out ends the dock unwiped, and a stop leaves the wait
    // to the next start.
    asio::awaitable<void> wait_for_central_archive() {
        if (ctx_.remote_gate == nullptr || to_wipe_.empty()) co_return;
        std::vector<std::int64_t> ids;
        for (const Proven& proven : to_wipe_) ids.push_back(proven.row_id);
        bool waited = false;
        for (;;) {
            check_stopping();
            const std::uint64_t seen = ctx_.remote_gate->confirmations();
            const auto waiting =
                co_await catalog([this, &ids] { return ctx_.catalog.not_replicated(ids); });
            if (waiting.empty()) break;
            if (!waited) {
                waited = true;
                ctx_.status.set_phase(bay_, BayPhase::waiting_remote);
                ctx_.log.info(fields_, std::to_string(waiting.size()) +
                                           " recording(s) wait for the central archive; the "
                                           "camera is wiped once the store confirms them");
            }
            const auto woken = co_await ctx_.remote_gate->wait(bay_, seen, kRemoteRecheck);
            if (woken != RemoteGate::Woken::confirmation) {
                // Taken out? The camera answers, or the dock ends here with its footage on it.
                co_await device([this] { return camera_->health(deadline()); });
            }
        }
        if (waited) ctx_.log.info(fields_, "confirmed in the central archive");
    }

    // Deletes from the camera what this dock proved archived (to_wipe_), then lists the camera
    // again: only what is gone is recorded as wiped. A camera that answers a delete with OK and
    // keeps the object has not been wiped, and its bay asks for a custodian.
    asio::awaitable<void> wipe() {
        if (to_wipe_.empty()) co_return;
        // The handle must still name the object whose bytes were read in this dock.
        auto now_on_camera = co_await list(/*for_wipe=*/true);
        auto deleted = co_await delete_proven(now_on_camera);
        if (deleted.empty()) co_return;
        auto after = co_await list(/*for_wipe=*/true);
        co_await record_deleted(deleted, after);
        co_await name_vanished(now_on_camera, deleted, after);
        ctx_.log.info(fields_, "wiped " + std::to_string(report_.wiped) + " recording(s)");
    }

    // Deletes each object of to_wipe_ that the camera still lists as it was when its bytes
    // were read (same handle, same recording); returns those deleted.
    asio::awaitable<std::vector<const Proven*>> delete_proven(
        const std::vector<hw::RecordingInfo>& now_on_camera) {
        // Highest handles first: a camera that numbers its objects by their place in a list
        // (against the standard) shifts only the handles after the one deleted, none of which
        // is still to be deleted.
        std::vector<const Proven*> order;
        for (const Proven& proven : to_wipe_) order.push_back(&proven);
        std::sort(order.begin(), order.end(),
                  [](const Proven* a, const Proven* b) { return a->info.handle > b->info.handle; });
        std::vector<const Proven*> deleted;
        for (const Proven* proven : order) {
            check_stopping();
            bool same =
                std::any_of(now_on_camera.begin(), now_on_camera.end(),
                            [&](const auto& info) { return same_object(info, proven->info); });
            if (!same) continue;
            // I1: proven->row_id is archived with the SHA-256 that this object's bytes, read from
            // this camera in this dock, hashed to (copied and verified, or re-read and compared
            // in prove_archived), and its archive file is there. With wipe_after = "remote" it
            // is also confirmed in the central archive (wait_for_central_archive).
            co_await device([this, &proven] { camera_->remove(proven->info.handle, deadline()); });
            deleted.push_back(proven);
        }
        co_return deleted;
    }

    // An object is still there when the camera lists one like it under any handle.
    static bool still_listed(const std::vector<hw::RecordingInfo>& listing,
                             const hw::RecordingInfo& object) {
        return std::any_of(listing.begin(), listing.end(), [&](const hw::RecordingInfo& info) {
            return shows_same_recording(info, object);
        });
    }

    // Records as wiped each deleted object the camera no longer lists (`after`); one it still
    // lists was not wiped, whatever the camera answered to the delete.
    asio::awaitable<void> record_deleted(const std::vector<const Proven*>& deleted,
                                         const std::vector<hw::RecordingInfo>& after) {
        for (const Proven* proven : deleted) {
            if (still_listed(after, proven->info)) {
                ++report_.delete_not_effective;
                ctx_.log.error(fields_, "recording " + std::to_string(proven->row_id) +
                                            " is still on the camera after it was deleted");
                AuditEvent entry{"recording.delete_not_effective", bay_, report_.serial,
                                 proven->row_id,
                                 "the camera answered the delete and still lists the object"};
                co_await catalog([this, &entry] { ctx_.catalog.audit(entry, unix_now()); });
                continue;
            }
            if (proven->was_wiped) {
                AuditEvent entry{"recording.wiped", bay_, report_.serial, proven->row_id,
                                 "deleted from the camera again: it was still there"};
                co_await catalog([this, &entry] { ctx_.catalog.audit(entry, unix_now()); });
            } else {
                AuditEvent entry{"recording.wiped", bay_, report_.serial, proven->row_id,
                                 "deleted from the camera after archival"};
                co_await catalog([this, &proven, &entry] {
                    ctx_.catalog.mark_wiped(proven->row_id, unix_now(), entry);
                });
            }
            ++report_.wiped;
        }
    }

    // What the cradle did not delete must still be there: a camera that lost another object
    // on a delete is named for the custodian (the loss is the camera's, and shown).
    asio::awaitable<void> name_vanished(const std::vector<hw::RecordingInfo>& now_on_camera,
                                        const std::vector<const Proven*>& deleted,
                                        const std::vector<hw::RecordingInfo>& after) {
        for (const auto& before : now_on_camera) {
            const bool was_deleted = std::any_of(deleted.begin(), deleted.end(), [&](auto* p) {
                return same_object(p->info, before);
            });
            if (was_deleted || still_listed(after, before)) continue;
            ++report_.vanished;
            AuditEvent entry{"recording.vanished", bay_, report_.serial, 0,
                             "an object the cradle did not delete left the camera during the wipe "
                             "(handle " +
                                 std::to_string(before.handle) + ", " +
                                 sanitize_text(before.name, 128) + ")"};
            ctx_.log.error(fields_, entry.detail);
            co_await catalog([this, &entry] { ctx_.catalog.audit(entry, unix_now()); });
        }
    }

    asio::awaitable<void> final_health() {
        auto health = co_await device([this] { return camera_->health(deadline()); });
        report_.storage_free_after_bytes = health.storage_free_bytes;
        report_.storage_read = true;
        report_.battery_read = true;
        report_.battery_percent = std::clamp(health.battery_percent, 0, 100);
        report_.charging = health.charging;
        // The rise over this dock is the best measure of how fast this camera charges here.
        report_.charge_eta_s =
            health.charging
                ? seconds_to_charge(ctx_.config, report_.battery_at_dock_percent,
                                    report_.health_checked
                                        ? std::chrono::steady_clock::now() - first_health_at_
                                        : std::chrono::steady_clock::duration::zero(),
                                    report_.battery_percent)
                : -1;
    }

    void decide_readiness() {
        if (report_.vanished > 0) {
            needs_custodian(std::to_string(report_.vanished) +
                            " object(s) the cradle did not delete left the camera during the wipe: "
                            "see the log and the audit");
            return;
        }
        if (kept_short_ > 0) {
            needs_custodian(std::to_string(kept_short_) +
                            " recording(s) ended before the size the camera gives them: archived "
                            "as delivered and kept on the camera");
            return;
        }
        if (report_.delete_not_effective > 0) {
            needs_custodian(std::to_string(report_.delete_not_effective) +
                            " recording(s) still on the camera after deleting them (delete not "
                            "effective): archived, but not wiped");
            return;
        }
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
        apply_verdict(report_, assess_readiness(ctx_.config, report_));
    }

    void needs_custodian(const std::string& reason) {
        report_.awaiting_charge = false;
        report_.light = hw::BayLight::needs_custodian;
        report_.outcome = "needs custodian: " + reason;
    }

    void device_failed(const std::string& step, const hw::DeviceError& e) {
        report_.device_timed_out = e.kind() == hw::DeviceError::Kind::timeout;
        report_.awaiting_charge = false;
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
        report_.left_on_camera = still_on_camera(report_);
        bool red = report_.light == hw::BayLight::needs_custodian;
        (red ? ctx_.log.error(fields_, report_.outcome) : ctx_.log.info(fields_, report_.outcome));
        try {
            if (dock_id_ == 0) {
                co_await audit("dock.end", report_.outcome);
            } else {
                // Every dock that identified its camera leaves a verdict in the device's
                // readiness history, whatever it was, written with the dock's end and audited.
                const bool ready = report_.light == hw::BayLight::ready;
                AuditEvent entry{"dock.end", bay_, report_.serial, 0, report_.outcome};
                co_await catalog([this, &ready, &entry] {
                    ctx_.catalog.end_dock_with_verdict(dock_id_, unix_now(), report_.outcome, ready,
                                                       entry);
                });
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
    std::size_t kept_short_ = 0;  // see kept_short()
    std::string rejected_reason_;
    std::vector<Proven> to_wipe_;
    std::chrono::steady_clock::time_point first_health_at_;
    std::chrono::steady_clock::time_point* first_health_at_out_ = nullptr;
};

}  // namespace

asio::awaitable<DockReport> run_bay_session(BayContext& context, int bay,
                                            std::shared_ptr<hw::CameraDriver> camera) {
    BaySession session(context, bay, std::move(camera), nullptr);
    co_return co_await session.run();
}

asio::awaitable<DockReport> run_bay_session(
    BayContext& context, int bay, std::shared_ptr<hw::CameraDriver> camera,
    std::chrono::steady_clock::time_point& first_health_at) {
    BaySession session(context, bay, std::move(camera), &first_health_at);
    co_return co_await session.run();
}

}  // namespace cradle
