// SPDX-License-Identifier: Apache-2.0
#include "engine/cradle_service.hpp"

#include "core/archive/archive_record.hpp"
#include "core/archive/archive_store.hpp"
#include "core/catalog/audit_anchor.hpp"
#include "core/catalog/audit_journal.hpp"
#include "core/catalog/catalog.hpp"
#include "core/catalog/catalog_guard.hpp"
#include "core/catalog/signing_identity.hpp"
#include "core/config/remote_credentials.hpp"
#include "engine/bay_session.hpp"
#include "engine/charge_watch.hpp"
#include "engine/loop.hpp"
#include "engine/remote_gate.hpp"
#include "engine/replication_runner.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <future>
#include <map>
#include <mutex>
#include <optional>
#include <set>

namespace cradle {

struct CradleService::Impl : hw::CradleListener, ServiceApi {
    Impl(Config config_in, hw::Cradle& cradle_in, FileSystem& fs_in, Log log_in, const char* vfs,
         std::optional<remote::S3Credentials> credentials)
        : config_(std::move(config_in)),
          cradle(cradle_in),
          fs(fs_in),
          log_(std::move(log_in)),
          catalog((fs.make_directories(config_.state_dir), config_.state_dir / "catalog.sqlite"),
                  vfs),
          store(fs, config_.state_dir),
          journal(fs, config_.state_dir / "archive"),
          workers(static_cast<std::size_t>(config_.workers)),
          catalog_strand(asio::make_strand(workers.get_executor())),
          status_board(cradle.bay_count()),
          context{config_,        catalog,  store,       cradle, log_, workers.get_executor(),
                  catalog_strand, stopping, status_board} {
        if (credentials) start_central_archive(*config_.remote, std::move(*credentials));
    }

    ~Impl() override {
        stopping = true;
        cradle.stop();
        io_context.stop();
        // Before the pool: the replication's catalog calls run on it.
        if (replication) replication->stop();
        // Work still on the pool ends by its device deadline; every step it can leave behind
        // is one that start-up recovery handles.
        workers.join();
    }

    // CradleListener: called from any thread; everything happens on the loop.
    void camera_attached(int bay, const std::string& port_path,
                         std::shared_ptr<hw::CameraDriver> camera) override {
        asio::post(io_context, [this, bay, port_path, camera = std::move(camera)]() mutable {
            attached(bay, port_path, std::move(camera));
        });
    }
    void camera_detached(int bay) override {
        asio::post(io_context, [this, bay] { detached(bay); });
    }

    struct Bay {
        bool session_running = false;
        bool docked = false;
        std::shared_ptr<hw::CameraDriver> waiting;  // attached while the last session still ran
        bool power_cycled = false;                  // since the last dock that did not time out
        bool power_cycling = false;                 // a power cycle is under way on the worker pool
        std::shared_ptr<hw::CameraDriver> camera;   // of the running session
        // When the running session took its first health reading (the charging rate's start).
        std::chrono::steady_clock::time_point first_health_at;
        // Rechecks the battery of a charging camera whose dock ended; never keeps the bay busy.
        std::shared_ptr<ChargeWatch> watch;
    };

    void attached(int bay, const std::string& port_path, std::shared_ptr<hw::CameraDriver> camera) {
        Bay& state = bays[bay];
        state.docked = true;
        log_.info(LogFields{bay, {}, 0}, "camera attached at " + port_path);
        if (stopping) return;  // the next start handles it
        end_watch(bay);        // a new dock supersedes it
        if (!state.session_running) status_board.docked(bay, unix_now());
        if (state.session_running) {
            state.waiting = std::move(camera);
            return;
        }
        start_session(bay, std::move(camera));
    }

    void detached(int bay) {
        Bay& state = bays[bay];
        state.docked = false;
        if (remote_gate) remote_gate->wake(bay);
        state.waiting.reset();
        end_watch(bay);
        log_.info(LogFields{bay, {}, 0}, "camera removed");
        if (!state.session_running) {
            set_light(bay, hw::BayLight::off);
            status_board.undocked(bay);
        }
    }

    void set_light(int bay, hw::BayLight light) {
        cradle.set_light(bay, light);
        status_board.set_light(bay, light);
    }

    void start_session(int bay, std::shared_ptr<hw::CameraDriver> camera) {
        bays[bay].session_running = true;
        bays[bay].camera = camera;
        // bays never drops an entry, so first_health_at outlives the session.
        asio::co_spawn(io_context,
                       run_bay_session(context, bay, std::move(camera), bays[bay].first_health_at),
                       [this, bay](std::exception_ptr error, DockReport report) {
                           session_ended(bay, error, std::move(report));
                       });
    }

    void session_ended(int bay, std::exception_ptr error, DockReport report) {
        Bay& state = bays[bay];
        state.session_running = false;
        std::shared_ptr<hw::CameraDriver> camera = std::exchange(state.camera, nullptr);
        const bool timed_out = !error && report.device_timed_out;
        // --exit-when-idle ends with the docks: the verdict of each dock is final there.
        const bool watch_charge =
            !error && report.awaiting_charge && !exit_when_idle && camera != nullptr;
        std::optional<DockReport> watched;
        if (watch_charge) watched = report;
        if (error) {
            // run_bay_session never throws; this is a bug, not a device problem.
            log_.error(LogFields{bay, {}, 0}, "bay session ended abnormally");
            set_light(bay, hw::BayLight::needs_custodian);
            status_board.finished(bay, "needs custodian: internal error, see the log");
        } else {
            for (const auto& listener : dock_listeners) listener(report);
            publish_anchor("dock end, bay " + std::to_string(bay));
            std::lock_guard lock(reports_mutex);
            reports.push_back(std::move(report));
        }
        if (stopping) {
            state.waiting.reset();
        } else if (state.waiting) {
            status_board.docked(bay, unix_now());
            start_session(bay, std::exchange(state.waiting, nullptr));
        } else if (!state.docked) {
            set_light(bay, hw::BayLight::off);
            status_board.undocked(bay);
        } else if (timed_out && !state.power_cycled && !stopping) {
            power_cycle(bay);
        } else if (watched) {
            start_watch(bay, *watched, std::move(camera), state.first_health_at);
        }
        if (!timed_out) state.power_cycled = false;
        check_idle();
    }

    void start_watch(int bay, const DockReport& report, std::shared_ptr<hw::CameraDriver> camera,
                     std::chrono::steady_clock::time_point first_health_at) {
        auto watch = std::make_shared<ChargeWatch>(context, io_context.get_executor(), report,
                                                   camera, first_health_at);
        bays[bay].watch = watch;
        log_.info(LogFields{bay, report.serial, 0},
                  "charging: the battery is read again every " +
                      std::to_string(config_.battery_recheck.count()) +
                      " s while the camera stays in the bay");
        asio::co_spawn(io_context, ChargeWatch::run(watch), [this, bay, watch](std::exception_ptr) {
            if (bays[bay].watch == watch) bays[bay].watch.reset();
        });
    }

    void end_watch(int bay) {
        if (auto watch = std::exchange(bays[bay].watch, nullptr)) watch->cancel();
    }

    // A camera that stopped answering is power-cycled once through its port; it docks again
    // and gets a fresh session. If it stops answering again, its bay stays red for a custodian.
    void power_cycle(int bay) {
        Bay& state = bays[bay];
        state.power_cycled = true;
        state.power_cycling = true;
        status_board.set_phase(bay, BayPhase::power_cycling);
        log_.warning(LogFields{bay, {}, 0},
                     "camera stopped answering: power-cycling its port once");
        asio::post(workers, [this, bay] {
            try {
                cradle.set_port_power(bay, false);
                cradle.set_port_power(bay, true);
            } catch (const std::exception& e) {
                log_.error(LogFields{bay, {}, 0}, std::string("power cycle failed: ") + e.what());
            }
            // Posted after the re-attach event (if the cradle reports one at once), so an
            // idle check never runs between the two.
            asio::post(io_context, [this, bay] {
                bays[bay].power_cycling = false;
                check_idle();
            });
        });
    }

    // A bay whose camera is only watched while it charges counts as idle: the watch is not
    // waited for (it ends with the loop).
    void check_idle() {
        if (!exit_when_idle && !stopping) return;
        for (const auto& [bay, state] : bays) {
            if (state.session_running || state.waiting || state.power_cycling) return;
        }
        io_context.stop();
    }

    // A clean stop: copies give up at their next chunk, every session ends at its next step
    // and records how far it got, and the loop stops once they have (or after a bound, if a
    // camera does not answer within its deadline). What is left is for the next start.
    void begin_stop(const std::string& why) {
        if (stopping) return;
        stopping = true;
        log_.info({}, "stopping (" + why + "): letting the bays' current steps end");
        for (auto& entry : bays) end_watch(entry.first);
        if (remote_gate) remote_gate->wake_all();
        stop_timer.expires_after(config_.device_timeout * 2 + std::chrono::seconds(5));
        stop_timer.async_wait([this](const boost::system::error_code& ec) {
            if (ec) return;
            log_.warning({}, "stopping without waiting longer for the bays' current steps");
            io_context.stop();
        });
        check_idle();
    }

    void recover() {
        auto now = unix_now();
        // I6: the archive's audit journal first catches up with the catalog (a state directory
        // of an older version gets its journal here); from now on every committed audit row is
        // journalled after its commit.
        journal.catch_up(catalog.audit_rows());
        catalog.set_audit_sink([this](const std::vector<AuditRow>& rows) {
            if (auto error = journal.append(rows)) {
                // On the catalog's thread: the log is the loop's.
                asio::post(io_context, [this, error = *error] {
                    if (journal_failure_logged) return;
                    journal_failure_logged = true;
                    log_.error({}, "cannot write the archive's audit journal (" + error +
                                       "); it is caught up from the catalog at the next start");
                });
            }
        });
        // Every audit row from here on is signed with the cradle's key (audit_signatures.hpp).
        AdoptedKey signing = adopt_signing_key(catalog, config_.state_dir, now);
        signing_key_.store(signing.key);
        store.set_signer(signing.key);
        log_.info({}, std::string(signing.created ? "created the cradle's signing key"
                                                  : "audit entries are signed") +
                          " (Ed25519, fingerprint " + signing.key->public_key().fingerprint() +
                          ")");
        for (const auto& name : store.clean_staging()) {
            log_.warning({}, "recovery: removed unfinished copy " + name + " from staging");
            catalog.audit(AuditEvent{"recovery.staging_removed", 0, {}, 0, name}, now);
        }
        account_for_archive_files(now);
        write_missing_records(now);
        for (const auto& row : catalog.recordings_in_state(RecordingState::copying)) {
            // Never archived, so still on its camera: the next dock copies it again.
            catalog.forget_copying(row.id);
            catalog.audit(AuditEvent{"recovery.copy_discarded",
                                     0,
                                     {},
                                     row.id,
                                     "interrupted copy; the recording is still on its camera"},
                          now);
        }
        catalog.close_open_docks(now);
        for (const auto& entry : config_.register_entries) {
            catalog.apply_configured_registration(entry.serial, entry.custodian, entry.officer,
                                                  entry.head, now);
        }
        catalog.audit(AuditEvent{"daemon.start", 0, {}, 0, "recovery done"}, now);
    }

    // A file in the archive that the catalog does not hold as archived (with its record) was
    // renamed into place by a copy that crashed before its catalog transaction, or is one the
    // catalog has lost track of. Recovery never deletes it (I6): a recording with its record,
    // whose catalog row is still the `copying` row of that copy and whose bytes re-hash to the
    // record, is adopted as archived; anything else is moved to quarantine/ for a custodian.
    void account_for_archive_files(std::int64_t now) {
        std::set<std::string> accounted;
        for (const auto& row : catalog.recordings()) {
            if (row.state == RecordingState::copying) continue;
            accounted.insert(row.archive_path);
            accounted.insert(record_path_of(row.archive_path));
        }
        std::error_code ec;
        const auto& root = store.archive_root();
        std::set<std::string> unaccounted;
        for (auto it = std::filesystem::recursive_directory_iterator(root, ec);
             !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
            std::error_code type_ec;
            if (it->is_directory(type_ec) || type_ec) continue;
            std::string relative = it->path().lexically_relative(root).generic_string();
            if (relative == kAuditJournalName) continue;
            if (!accounted.contains(relative)) unaccounted.insert(relative);
        }
        if (ec) {
            throw ArchiveError(ArchiveError::Kind::io,
                               "cannot list the archive " + root.string() + ": " + ec.message());
        }
        for (const auto& relative : unaccounted) {
            if (is_record_path(relative)) continue;
            std::string why;
            if (adopt(relative, now, why)) continue;
            quarantine(relative, why, now);
            const std::string record = record_path_of(relative);
            if (unaccounted.contains(record)) quarantine(record, "the record of " + relative, now);
        }
        for (const auto& relative : unaccounted) {
            if (!is_record_path(relative)) continue;
            const std::string data = relative.substr(0, relative.size() - 7);
            // Handled with its recording above.
            if (unaccounted.contains(data)) continue;
            quarantine(relative, "a record without its recording", now);
        }
    }

    // Recordings archived by a version that kept no records get theirs now, oldest first, so
    // that the archive alone describes them too (I6) and each camera's chain takes them in.
    void write_missing_records(std::int64_t now) {
        const auto hashes = catalog.record_hashes();
        std::map<std::int64_t, DeviceRow> devices;
        for (const auto& row : catalog.recordings()) {
            if (row.state == RecordingState::copying || hashes.contains(row.id)) continue;
            if (devices.empty()) {
                for (auto& device : catalog.devices()) devices.emplace(device.id, device);
            }
            auto device = devices.find(row.key.device_id);
            if (device == devices.end() || !store.exists(row.archive_path)) continue;
            std::string record_sha256;
            std::string why;
            if (auto found = store.read_record(row.archive_path, record_sha256, why)) {
                // Written at an earlier start that stopped before its catalog commit.
                if (found->recording_id == row.id && found->sha256_hex == row.sha256_hex &&
                    found->archive_path == row.archive_path) {
                    catalog.set_record_hash(row.id, record_sha256, now);
                }
                continue;
            }
            if (store.exists(record_path_of(row.archive_path))) continue;  // unreadable: verify
            ArchiveRecord record;
            record.recording_id = row.id;
            record.device_id = row.key.device_id;
            record.identity = RecordIdentity{device->second.serial,
                                             device->second.manufacturer,
                                             device->second.model,
                                             device->second.firmware,
                                             row.camera_officer_id,
                                             0,
                                             catalog.last_record_hash(row.key.device_id)};
            record.ptp_handle = row.key.handle;
            record.raw_name = row.key.name;
            record.captured_unix_s = row.key.captured_unix_s;
            record.size = row.key.size;
            record.archived_at = row.archived_at;
            record.archive_path = row.archive_path;
            record.sha256_hex = row.sha256_hex;
            catalog.set_record_hash(row.id, store.write_record(record), now);
        }
    }

    // Adopts an uncommitted recording whose record, catalog row and bytes all agree; says why
    // not otherwise.
    bool adopt(const std::string& relative, std::int64_t now, std::string& why) {
        std::string record_sha256;
        auto record = store.read_record(relative, record_sha256, why);
        if (!record) return false;
        if (record->archive_path != relative) {
            why = "its record names another path";
            return false;
        }
        auto row = catalog.recording(record->recording_id);
        if (!row || row->state != RecordingState::copying) {
            why = "the catalog holds no interrupted copy of recording " +
                  std::to_string(record->recording_id);
            return false;
        }
        const RecordingKey& key = row->key;
        // A copy of unknown size was begun with its bound and holds what arrived: no more.
        if (key.device_id != record->device_id || key.handle != record->ptp_handle ||
            key.name != record->raw_name || record->size > key.size ||
            key.captured_unix_s != record->captured_unix_s) {
            why = "its record describes another recording than the catalog's row " +
                  std::to_string(row->id);
            return false;
        }
        const std::string sha256 = store.rehash(relative);
        if (sha256 != record->sha256_hex) {
            why = "it hashes to " + sha256 + ", its record says " + record->sha256_hex;
            return false;
        }
        // Both entries durable before the catalog says archived.
        store.make_entry_durable(relative);
        try {
            catalog.mark_archived(
                row->id, sha256, relative, now,
                AuditEvent{"recording.archived", 0, record->identity.device_serial, row->id,
                           "adopted by start-up recovery: renamed into the archive "
                           "before a crash; record and re-hash agree"},
                record_sha256,
                record->size != key.size ? std::optional<std::uint64_t>(record->size)
                                         : std::nullopt);
        } catch (const CatalogError& e) {
            // The same recording archived already: this copy goes to quarantine.
            why = e.what();
            return false;
        }
        log_.warning(LogFields{0, record->identity.device_serial, row->id},
                     "recovery: adopted archive file " + relative +
                         " (copied before a crash, its record and re-hash agree)");
        catalog.audit(AuditEvent{"recovery.adopted", 0, record->identity.device_serial, row->id,
                                 "archive/" + relative},
                      now);
        return true;
    }

    void quarantine(const std::string& relative, const std::string& why, std::int64_t now) {
        const std::string moved_to = store.quarantine(relative);
        log_.warning({}, "recovery: moved archive/" + relative + " to " + moved_to +
                             " for a custodian: the catalog does not account for it (" + why + ")");
        catalog.audit(AuditEvent{"recovery.quarantined",
                                 0,
                                 {},
                                 0,
                                 "archive/" + relative + " -> " + moved_to + ": " + why},
                      now);
    }

    // The central archive's replication, its thread started once recovery is done.
    void start_central_archive(const RemoteConfig& remote, remote::S3Credentials credentials) {
        ReplicationRunner::Hooks hooks;
        hooks.with_catalog = [this](const std::function<void(Catalog&)>& work) {
            std::promise<void> done;
            asio::post(catalog_strand, [this, &work, &done] {
                try {
                    work(catalog);
                    done.set_value();
                } catch (...) {
                    done.set_exception(std::current_exception());
                }
            });
            done.get_future().get();
        };
        hooks.replicated = [this](std::int64_t) {
            asio::post(io_context, [this] {
                if (remote_gate) remote_gate->confirmed();
            });
        };
        hooks.log = [this](LogLevel level, const std::string& message) {
            asio::post(io_context, [this, level, message] { log_(level, {}, message); });
        };
        replication = std::make_unique<ReplicationRunner>(remote, std::move(credentials), fs,
                                                          store.archive_root(), std::move(hooks));
        context.archived = [this] { replication->wake(); };
        if (remote.wipe_after == WipeAfter::remote) {
            remote_gate = std::make_unique<RemoteGate>(io_context.get_executor());
            context.remote_gate = remote_gate.get();
        }
    }

    // ServiceApi
    asio::io_context& io() override { return io_context; }
    const Config& config() const override { return config_; }
    const Log& log() const override { return log_; }
    StatusBoard& status() override { return status_board; }
    PublicKey signing_key() const override { return signing_key_.load()->public_key(); }

    void rotate_signing_key(const std::string& reason, const std::string& changed_by,
                            std::function<void(std::exception_ptr)> done) override {
        auto next = std::make_shared<const SigningKey>(SigningKey::generate());
        catalog_work(
            [this, next, detail = reason + " (by " + changed_by + ")"](Catalog& catalog) {
                stage_next_signing_key(config_.state_dir, *next);
                catalog.rotate_signing_key(next, detail, unix_now());
                // From here the log names the next key: records and anchors use it too. A
                // failure to install its file is finished at the next start.
                store.set_signer(next);
                signing_key_.store(next);
                install_next_signing_key(config_.state_dir, *next);
            },
            [this, next, done = std::move(done)](const std::exception_ptr& error) {
                if (!error) {
                    log_.info({}, "audit signing key rotated: entries are now signed by key " +
                                      next->public_key().fingerprint());
                    publish_anchor("key rotation");
                }
                done(error);
            });
    }
    void catalog_work(std::function<void(Catalog&)> work,
                      std::function<void(std::exception_ptr)> done) override {
        asio::post(catalog_strand, [this, work = std::move(work), done = std::move(done)] {
            std::exception_ptr error;
            try {
                work(catalog);
            } catch (...) {
                error = std::current_exception();
            }
            asio::post(io_context, [done = std::move(done), error] { done(error); });
        });
    }
    void background_work(std::function<void()> work,
                         std::function<void(std::exception_ptr)> done) override {
        asio::post(workers, [this, work = std::move(work), done = std::move(done)] {
            std::exception_ptr error;
            try {
                work();
            } catch (...) {
                error = std::current_exception();
            }
            asio::post(io_context, [done = std::move(done), error] { done(error); });
        });
    }
    void on_dock_end(std::function<void(const DockReport&)> listener) override {
        dock_listeners.push_back(std::move(listener));
    }
    void request_stop() override { begin_stop("asked over the API"); }

    // Progress of the copies, sampled once a second while the loop runs.
    // Anchors of the audit log (audit_anchor.hpp): its head, signed, into the system journal
    // and, with the central archive, into the bucket. At each dock's end and every hour (on the
    // loop, the head read on the catalog's strand), and at the start and the stop (run()).
    void publish_anchor(const std::string& why) {
        auto anchor = std::make_shared<std::optional<AuditAnchor>>();
        catalog_work([this, anchor](Catalog& catalog) { *anchor = anchor_of(catalog); },
                     [this, anchor, why](const std::exception_ptr& error) {
                         if (error || !*anchor) return;  // the next anchor covers it
                         announce_anchor(**anchor, why);
                     });
    }

    std::optional<AuditAnchor> anchor_of(Catalog& catalog) const {
        std::optional<AuditRow> head = catalog.last_audit_row();
        const std::shared_ptr<const SigningKey> key = signing_key_.load();
        if (!head || !key) return std::nullopt;
        return sign_anchor(*key, head->seq, head->hash_hex, unix_now());
    }

    // Off the loop (the loop has stopped, or not started): waits for the catalog's strand.
    void publish_anchor_now(const std::string& why) {
        std::promise<std::optional<AuditAnchor>> made;
        asio::post(catalog_strand, [this, &made] {
            try {
                made.set_value(anchor_of(catalog));
            } catch (...) {
                made.set_exception(std::current_exception());
            }
        });
        try {
            if (auto anchor = made.get_future().get()) announce_anchor(*anchor, why);
        } catch (const std::exception& e) {
            log_.warning({},
                         std::string("no anchor of the audit log at the ") + why + ": " + e.what());
        }
    }

    void announce_anchor(const AuditAnchor& anchor, const std::string& why) {
        log_.info({}, "audit anchor (" + why + "): " + format_anchor(anchor));
        if (replication) replication->publish_anchor(anchor);
    }

    void anchor_hourly() {
        anchor_timer.expires_after(std::chrono::hours(1));
        anchor_timer.async_wait([this](const boost::system::error_code& ec) {
            if (ec) return;
            publish_anchor("hourly");
            anchor_hourly();
        });
    }

    void sample_progress() {
        progress_timer.expires_after(std::chrono::seconds(1));
        progress_timer.async_wait([this](const boost::system::error_code& ec) {
            if (ec) return;
            status_board.sample(std::chrono::steady_clock::now());
            sample_progress();
        });
    }

    Config config_;
    std::atomic<bool> stopping{false};
    hw::Cradle& cradle;
    FileSystem& fs;
    Log log_;
    Catalog catalog;
    // Set by recover(), before any front-end; replaced by a rotation (on the catalog's strand).
    std::atomic<std::shared_ptr<const SigningKey>> signing_key_;
    ArchiveStore store;
    AuditJournal journal;
    bool journal_failure_logged = false;  // loop only
    asio::io_context io_context;
    asio::steady_timer progress_timer{io_context};
    asio::steady_timer anchor_timer{io_context};
    asio::steady_timer stop_timer{io_context};
    asio::thread_pool workers;
    asio::any_io_executor catalog_strand;
    StatusBoard status_board;
    BayContext context;
    std::vector<std::function<void(const DockReport&)>> dock_listeners;
    std::map<int, Bay> bays;
    std::unique_ptr<RemoteGate> remote_gate;         // with wipe_after = "remote"
    std::unique_ptr<ReplicationRunner> replication;  // with a central archive
    bool exit_when_idle = false;
    mutable std::mutex reports_mutex;
    std::vector<DockReport> reports;
};

namespace {

// Every bay asks for a custodian: the cradle takes no camera while the catalog is behind.
void show_refusal(hw::Cradle& cradle) {
    for (int bay = 1; bay <= cradle.bay_count(); ++bay) {
        try {
            cradle.set_light(bay, hw::BayLight::needs_custodian);
        } catch (const std::exception&) {
            // Best effort: the message says it all.
        }
    }
}

}  // namespace

CradleService::CradleService(Config config, hw::Cradle& cradle, FileSystem& fs, Log log,
                             const char* sqlite_vfs) {
    // The central archive's keys first: without them the service does not start (ConfigError).
    std::optional<remote::S3Credentials> credentials;
    if (config.remote) credentials = load_remote_credentials(*config.remote);
    // Before the catalog is opened: opening it would create a fresh one over the archive.
    try {
        require_catalog_not_behind_archive(config.state_dir, sqlite_vfs);
    } catch (const CatalogBehindArchive&) {
        // main() says why, in one line (catalog_behind_archive_message).
        show_refusal(cradle);
        throw;
    }
    impl_ = std::make_unique<Impl>(std::move(config), cradle, fs, std::move(log), sqlite_vfs,
                                   std::move(credentials));
}

CradleService::~CradleService() = default;

void CradleService::run(const RunOptions& options) {
    Impl& impl = *impl_;
    try {
        impl.recover();
    } catch (const CatalogBehindArchive&) {
        show_refusal(impl.cradle);
        throw;
    } catch (const IdentityError&) {
        show_refusal(impl.cradle);
        throw;
    }
    impl.exit_when_idle = options.exit_when_idle;
    for (int bay = 1; bay <= impl.cradle.bay_count(); ++bay) impl.bays[bay];

    std::optional<asio::signal_set> signals;
    if (options.handle_signals) {
        signals.emplace(impl.io_context, SIGTERM, SIGINT);
        signals->async_wait([&impl](const boost::system::error_code& ec, int signal) {
            if (ec) return;
            impl.begin_stop(signal == SIGTERM ? "SIGTERM" : "SIGINT");
        });
    }
    impl.log_.info({}, "ready: " + std::to_string(impl.cradle.bay_count()) + " bay(s), archive " +
                           impl.store.archive_root().string());
    // Made on this thread before the loop runs: nothing reaches the loop before the front-ends
    // are in place, and they are destroyed below, after the loop, on this thread.
    std::vector<std::unique_ptr<Frontend>> frontends;
    if (options.on_ready) frontends = options.on_ready(impl);
    impl.sample_progress();
    impl.publish_anchor_now("start");
    impl.anchor_hourly();
    // The loop runs until stop(), even when no handler is pending (a power cycle on the worker
    // pool, a bay waiting for its camera).
    auto keep_running = asio::make_work_guard(impl.io_context);
    if (impl.replication) impl.replication->start();
    impl.cradle.start(impl);
    // Attach events of cameras already docked are queued before this check runs.
    asio::post(impl.io_context, [&impl] { impl.check_idle(); });
    impl.io_context.run();
    impl.cradle.stop();
    impl.publish_anchor_now("stop");
    if (impl.replication) impl.replication->stop();
    impl.progress_timer.cancel();
    impl.anchor_timer.cancel();
    impl.stop_timer.cancel();
    frontends.clear();
}

void CradleService::stop() {
    asio::post(impl_->io_context, [impl = impl_.get()] { impl->begin_stop("stop requested"); });
}

std::vector<DockReport> CradleService::reports() const {
    std::lock_guard lock(impl_->reports_mutex);
    return impl_->reports;
}

}  // namespace cradle
