// SPDX-License-Identifier: Apache-2.0
#include "engine/replication_runner.hpp"

#include "core/config/remote_credentials.hpp"
#include "core/remote/uploader.hpp"
#include "engine/replication.hpp"

#include <algorithm>
#include <ctime>
#include <system_error>

namespace cradle {

namespace {

// Recordings taken from the backlog per round.
constexpr std::size_t kRoundSize = 32;
// With nothing due, the backlog is looked at again this often (and at each archival).
constexpr std::chrono::seconds kIdleWait{60};
// The audit journal goes to the store at most this often, when the backlog is empty.
constexpr std::chrono::minutes kJournalInterval{10};
// Entries per journal segment, at most.
constexpr std::size_t kJournalSegmentRows = 5000;

std::int64_t seconds_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

int local_minute_of_day() {
    const std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    return local.tm_hour * 60 + local.tm_min;
}

bool any_of_codes(const std::string& code, std::initializer_list<const char*> codes) {
    return std::any_of(codes.begin(), codes.end(), [&](const char* c) { return code == c; });
}

}  // namespace

std::chrono::seconds retry_delay(int failures, std::chrono::seconds first_wait) {
    const int doublings = std::clamp(failures - 1, 0, 6);
    return first_wait * (1 << doublings);
}

int minutes_until_window(const std::optional<std::pair<int, int>>& window, int minute_of_day) {
    if (!window) return 0;
    const auto [from, to] = *window;
    constexpr int kDay = 24 * 60;
    const bool open = from <= to ? minute_of_day >= from && minute_of_day < to
                                 : minute_of_day >= from || minute_of_day < to;
    if (open || from == to) return 0;
    return (from - minute_of_day + kDay) % kDay;
}

ReplicationFailure explain_replication_failure(const std::exception_ptr& error,
                                               const RemoteConfig& remote) {
    try {
        std::rethrow_exception(error);
    } catch (const remote::S3Error& e) {
        const std::string& code = e.code();
        if (e.kind() == remote::S3Error::Kind::transport) {
            return {"the central archive at " + remote.endpoint + " cannot be reached (" +
                        e.what() + ")",
                    true};
        }
        if (code == "RequestTimeTooSkewed") {
            return {
                "the cradle's clock differs from the central archive's by more than 15 "
                "minutes, so the store refuses every request (RequestTimeTooSkewed): set "
                "the cradle's clock (NTP); no camera waiting for the central archive is "
                "wiped meanwhile",
                true};
        }
        // A HEAD refused has no body, so no code.
        if (any_of_codes(code, {"AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch"}) ||
            (code.empty() && e.http_status() == 403)) {
            return {"the central archive refuses the cradle's credentials (" +
                        (code.empty() ? std::string("HTTP 403") : code) +
                        "): check the access key and secret of [remote] and the user's rights "
                        "on bucket " +
                        remote.bucket,
                    true};
        }
        if (any_of_codes(code, {"QuotaExceeded", "InsufficientCapacity"}) ||
            e.http_status() == 507) {
            return {"the central archive is full or over its quota (" + code +
                        "): nothing more is stored until IT makes room or raises the quota",
                    true};
        }
        if (code == "NoSuchBucket") {
            return {"the central archive has no bucket " + remote.bucket, true};
        }
        return {std::string("the store refused: ") + e.what(),
                e.http_status() >= 500 || e.http_status() == 429};
    } catch (const remote::UploadConflict& e) {
        return {std::string("not stored: ") + e.what(), false, true};
    } catch (const std::system_error& e) {
        return {std::string("reading the archive: ") + e.what(), false};
    } catch (const std::exception& e) {
        return {e.what(), false};
    }
}

ReplicationRunner::ReplicationRunner(const RemoteConfig& remote, remote::S3Credentials credentials,
                                     FileSystem& fs, std::filesystem::path archive_root,
                                     Hooks hooks)
    : remote_(remote),
      archive_root_(std::move(archive_root)),
      hooks_(std::move(hooks)),
      client_(
          std::make_unique<remote::S3Client>(remote_s3_options(remote), std::move(credentials))),
      replication_(std::make_unique<Replication>(remote, *client_, fs, archive_root_)) {}

ReplicationRunner::~ReplicationRunner() {
    stop();
}

void ReplicationRunner::start() {
    std::lock_guard lock(mutex_);
    if (thread_.joinable() || stop_) return;
    thread_ = std::thread([this] { run(); });
}

void ReplicationRunner::wake() {
    {
        std::lock_guard lock(mutex_);
        woken_ = true;
    }
    changed_.notify_all();
}

void ReplicationRunner::publish_anchor(const AuditAnchor& anchor) {
    {
        std::lock_guard lock(mutex_);
        pending_anchor_ = anchor;
        woken_ = true;
    }
    changed_.notify_all();
}

bool ReplicationRunner::small_object_failed(const std::string& what) {
    if (stopping()) return true;
    auto failure = explain_replication_failure(std::current_exception(), remote_);
    if (!failure.whole_store) failure.message = what + failure.message;
    failed(failure);
    return !failure.whole_store;
}

bool ReplicationRunner::replicate_anchor() {
    std::optional<AuditAnchor> anchor;
    {
        std::lock_guard lock(mutex_);
        anchor = pending_anchor_;
    }
    if (!anchor) return true;
    try {
        replication_->replicate_anchor(*anchor, seconds_now());
        {
            // Unless a newer one came meanwhile, this one is done.
            std::lock_guard lock(mutex_);
            if (pending_anchor_ && pending_anchor_->seq == anchor->seq &&
                pending_anchor_->at == anchor->at) {
                pending_anchor_.reset();
            }
        }
        succeeded();
        return true;
    } catch (...) {
        return small_object_failed("the audit log's anchor was not sent: ");
    }
}

void ReplicationRunner::stop() {
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
    }
    client_->cancel();
    changed_.notify_all();
    if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

bool ReplicationRunner::stopping() const {
    std::lock_guard lock(mutex_);
    return stop_;
}

void ReplicationRunner::pause(std::chrono::seconds limit) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, limit, [this] { return stop_ || woken_; });
    woken_ = false;
}

void ReplicationRunner::run() {
    hooks_.log(LogLevel::info, "central archive: replicating to bucket " + remote_.bucket + " at " +
                                   remote_.endpoint + " as cradle " + remote_.cradle_id);
    try {
        // A start (after IT fixed the store, the keys or the clock) tries every waiting
        // recording at once.
        hooks_.with_catalog(
            [](Catalog& catalog) { catalog.reschedule_replication(seconds_now()); });
    } catch (const std::exception&) {
        // The first round reads the catalog again, and says what fails.
    }
    while (!stopping()) {
        if (const int closed = minutes_until_window(remote_.window, local_minute_of_day())) {
            pause(std::chrono::minutes(std::min(closed, 1)));
            continue;
        }
        bool store_failed = false;
        bool idle = false;
        std::int64_t next_attempt_at = 0;
        try {
            std::vector<ReplicationItem> due;
            const std::int64_t now = seconds_now();
            const std::int64_t horizon =
                now + retry_delay(1000, std::chrono::seconds(remote_.retry_seconds)).count();
            hooks_.with_catalog(
                [&](Catalog& catalog) { due = catalog.replication_due(now, kRoundSize, horizon); });
            for (const auto& item : due) {
                if (stopping() || store_failed) break;
                store_failed = !replicate_one(item);
            }
            // Then the anchor waiting, if any: a few bytes that show the log's head outside the
            // cradle, sent each round (after the recordings, whose failures are theirs to say).
            if (!store_failed && !stopping()) store_failed = !replicate_anchor();
            idle = due.empty();
            if (idle && !store_failed && !stopping()) store_failed = !replicate_journal();
            if (idle && !store_failed && !stopping()) store_failed = !audit_when_due();
            if (idle) {
                hooks_.with_catalog([&](Catalog& catalog) {
                    next_attempt_at = catalog.next_replication_attempt_at();
                });
            }
        } catch (const std::exception& e) {
            // The catalog, not the store: said once, tried again after the back-off.
            failed({std::string("the central archive's backlog cannot be read from the catalog: ") +
                        e.what(),
                    true});
            store_failed = true;
        }
        if (stopping()) break;
        if (store_failed) {
            // A wake-up (an archival) does not shorten the back-off: only the stop does.
            const auto until =
                std::chrono::steady_clock::now() +
                retry_delay(store_failures_, std::chrono::seconds(remote_.retry_seconds));
            std::unique_lock lock(mutex_);
            changed_.wait_until(lock, until, [this] { return stop_; });
            woken_ = false;
        } else if (idle) {
            // Until the earliest recording backing off is due, or the idle wait.
            auto wait = kIdleWait;
            if (next_attempt_at != 0) {
                wait = std::clamp(std::chrono::seconds(next_attempt_at - seconds_now()),
                                  std::chrono::seconds(1), kIdleWait);
            }
            pause(wait);
        }
    }
}

bool ReplicationRunner::replicate_one(const ReplicationItem& item) {
    const std::int64_t id = item.recording.id;
    try {
        const auto stored = replication_->replicate(
            item, [&](const std::string& key, const std::string& upload_id) {
                hooks_.with_catalog([&](Catalog& catalog) {
                    catalog.save_replication_progress(id, key, upload_id);
                });
            });
        AuditEvent entry{
            "recording.replicated",
            0,
            {},
            id,
            stored.object_key +
                (stored.version_id.empty() ? std::string() : " version " + stored.version_id) +
                (stored.already_stored ? ": found stored, size and SHA-256 confirmed"
                                       : ": stored, size and SHA-256 confirmed")};
        hooks_.with_catalog([&](Catalog& catalog) {
            catalog.mark_replicated(id, stored.object_key, stored.version_id, seconds_now(), entry);
        });
        succeeded();
        hooks_.replicated(id);
        return true;
    } catch (...) {
        // A stop cancels the transfer: not a failure of the recording.
        if (stopping()) return true;
        const auto failure = explain_replication_failure(std::current_exception(), remote_);
        const std::int64_t now = seconds_now();
        const int failures = failure.needs_custodian ? 1000 : item.progress.attempts + 1;
        const auto next =
            now + retry_delay(failures, std::chrono::seconds(remote_.retry_seconds)).count();
        hooks_.with_catalog([&](Catalog& catalog) {
            catalog.note_replication_failure(id, failure.message, now, next);
        });
        // The store's own failure is named once, whichever recording met it.
        failed({failure.whole_store ? failure.message
                                    : "the central archive did not take recording " +
                                          std::to_string(id) + ": " + failure.message,
                failure.whole_store});
        return !failure.whole_store;
    }
}

bool ReplicationRunner::replicate_journal() {
    const auto since = std::chrono::steady_clock::now() - last_journal_at_;
    if (last_journal_at_ != std::chrono::steady_clock::time_point{} && since < kJournalInterval) {
        return true;
    }
    std::vector<AuditRow> rows;
    hooks_.with_catalog([&](Catalog& catalog) {
        rows = catalog.audit_rows_after(catalog.journal_replicated_through(), kJournalSegmentRows);
    });
    if (rows.empty()) return true;
    try {
        const std::int64_t now = seconds_now();
        const auto stored = replication_->replicate_journal(rows, now);
        hooks_.with_catalog([&](Catalog& catalog) {
            catalog.mark_journal_replicated(rows.front().seq, rows.back().seq, stored.object_key,
                                            stored.version_id, now);
        });
        last_journal_at_ = std::chrono::steady_clock::now();
        succeeded();
        return true;
    } catch (...) {
        return small_object_failed("the audit journal was not sent: ");
    }
}

bool ReplicationRunner::audit_when_due() {
    if (remote_.audit_sample <= 0) return true;
    const std::int64_t now = seconds_now();
    const std::int64_t interval = std::int64_t{remote_.audit_hours} * 3600;
    std::vector<ReplicationItem> sample;
    hooks_.with_catalog([&](Catalog& catalog) {
        // Read from the audit log once: the interval runs across restarts.
        if (next_audit_at_ < 0) {
            const std::int64_t latest = catalog.latest_audit_at("remote.audit");
            next_audit_at_ = latest == 0 ? 0 : latest + interval;
        }
        if (now < next_audit_at_) return;
        sample = catalog.replicated_sample(static_cast<std::size_t>(remote_.audit_sample));
    });
    if (sample.empty()) return true;
    std::vector<std::string> problems;
    try {
        problems = replication_->audit(sample);
    } catch (...) {
        if (stopping()) return true;
        auto failure = explain_replication_failure(std::current_exception(), remote_);
        if (!failure.whole_store) failure.message = "the remote audit failed: " + failure.message;
        failed(failure);
        return !failure.whole_store;
    }
    std::string detail = std::to_string(sample.size()) +
                         " recording(s) read back from the central archive and compared with "
                         "the catalog";
    if (problems.empty()) {
        detail += ": all as archived";
    } else {
        for (const auto& problem : problems) detail += "; " + problem;
    }
    AuditEvent entry{problems.empty() ? "remote.audited" : "remote.audit_failed", 0, {}, 0, detail};
    hooks_.with_catalog([&](Catalog& catalog) { catalog.audit(entry, seconds_now()); });
    next_audit_at_ = seconds_now() + interval;
    hooks_.log(problems.empty() ? LogLevel::info : LogLevel::error,
               (problems.empty() ? "remote audit: " : "remote audit found problems: ") + detail);
    succeeded();
    return true;
}

void ReplicationRunner::failed(const ReplicationFailure& failure) {
    if (failure.whole_store) ++store_failures_;
    // The same failure again is not logged again; the catalog keeps each attempt's error.
    if (failure.message == last_logged_failure_) return;
    last_logged_failure_ = failure.message;
    hooks_.log(failure.whole_store ? LogLevel::error : LogLevel::warning, failure.message);
}

void ReplicationRunner::succeeded() {
    if (store_failures_ > 0) {
        hooks_.log(LogLevel::info, "the central archive takes recordings again");
    }
    store_failures_ = 0;
    last_logged_failure_.clear();
}

}  // namespace cradle
