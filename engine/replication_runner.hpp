// SPDX-License-Identifier: Apache-2.0
// The central archive's replication as the service runs it: a thread of its own that takes
// the catalog's backlog, oldest archival first, through Replication (upload, then HEAD), and
// records each outcome in the catalog. It never holds a bay: the bays' sessions go on beside
// it, and a session that waits for the central copy before a wipe (wipe_after = "remote") is
// told of each confirmation.
//
// A failed attempt is retried after retry_seconds, doubling with each failure of the same
// recording up to 64 times that. A failure of the store as a whole (unreachable, credentials
// refused, clock skewed, quota exhausted) ends the round: the next one begins after the same
// back-off, so a store that is down is asked once per interval, not once per recording.
// Outside the configured window nothing is sent. The audit journal follows in segments when
// the backlog is empty, and so does the remote audit: every audit_hours, a random sample of
// confirmed recordings is read back from the store and compared with the catalog, the outcome
// written to the audit log (remote.audited, or remote.audit_failed naming each problem).
#pragma once

#include "common/fs.hpp"
#include "common/log.hpp"
#include "core/catalog/audit_anchor.hpp"
#include "core/catalog/catalog.hpp"
#include "core/config/config.hpp"
#include "core/remote/s3_client.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace cradle {

class Replication;

// How long to wait before attempt `failures` + 1 after `failures` failed ones (at least 1):
// first_wait doubled with each further failure, at most 64 times first_wait.
std::chrono::seconds retry_delay(int failures, std::chrono::seconds first_wait);

// Minutes until uploads may begin at `minute_of_day` (0..1439, local time): 0 inside the window
// (or without one).
int minutes_until_window(const std::optional<std::pair<int, int>>& window, int minute_of_day);

// What a failed attempt says to IT, and whether it is the store's as a whole (the round ends)
// rather than this recording's.
struct ReplicationFailure {
    std::string message;
    bool whole_store = false;
    // No retry can mend it (other contents under the key, an archive file that no longer
    // matches its hash): tried again only at the longest back-off, and named for a custodian.
    bool needs_custodian = false;
};
ReplicationFailure explain_replication_failure(const std::exception_ptr& error,
                                               const RemoteConfig& remote);

class ReplicationRunner {
  public:
    struct Hooks {
        // Runs the work with the catalog, serialised with every other catalog call, and returns
        // once it has run, passing on its exception.
        std::function<void(const std::function<void(Catalog&)>&)> with_catalog;
        // Told of each recording confirmed in the central archive (on the runner's thread).
        std::function<void(std::int64_t recording_id)> replicated;
        // Where the runner's messages go (called on the runner's thread).
        std::function<void(LogLevel, const std::string&)> log;
    };

    ReplicationRunner(const RemoteConfig& remote, remote::S3Credentials credentials, FileSystem& fs,
                      std::filesystem::path archive_root, Hooks hooks);
    ~ReplicationRunner();
    ReplicationRunner(const ReplicationRunner&) = delete;
    ReplicationRunner& operator=(const ReplicationRunner&) = delete;

    void start();
    // Something was archived: look at the backlog now. Thread-safe.
    void wake();
    // An anchor of the audit log to store in the bucket (the latest one given is sent; an
    // earlier one still waiting is superseded by it). Thread-safe.
    void publish_anchor(const AuditAnchor& anchor);
    // Cancels the transfer under way and returns once the thread has ended; what it was
    // sending is taken up again at the next start (a multipart upload resumes). Thread-safe,
    // idempotent.
    void stop();

  private:
    void run();
    // One round: the recordings due now, then (with none left) the journal. Returns whether
    // the store failed as a whole.
    bool round();
    bool replicate_one(const ReplicationItem& item);
    bool replicate_journal();
    // The anchor waiting, if any. Returns false when the store failed as a whole.
    bool replicate_anchor();
    // In the handler of a failed journal segment or anchor (`what` prefixes a failure of that
    // object alone): says it, and returns false when the store failed as a whole.
    bool small_object_failed(const std::string& what);
    // The remote audit, when due (audit_hours after the latest one in the audit log). Returns
    // whether the store failed as a whole.
    bool audit_when_due();
    void failed(const ReplicationFailure& failure);
    void succeeded();
    // Waits `limit` or until woken or stopped.
    void pause(std::chrono::seconds limit);
    bool stopping() const;

    const RemoteConfig& remote_;
    std::filesystem::path archive_root_;
    Hooks hooks_;
    std::unique_ptr<remote::S3Client> client_;
    std::unique_ptr<Replication> replication_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    bool woken_ = false;
    bool stop_ = false;
    std::optional<AuditAnchor> pending_anchor_;
    std::thread thread_;
    // Runner thread only.
    int store_failures_ = 0;
    std::string last_logged_failure_;
    std::chrono::steady_clock::time_point last_journal_at_{};
    std::int64_t next_audit_at_ = -1;  // Unix seconds; -1: not read from the audit log yet
};

}  // namespace cradle
