// SPDX-License-Identifier: Apache-2.0
// What cradlectl's commands ask and change, whoever answers: the running daemon over D-Bus
// (bus_source.cpp), or the catalog of a state directory read directly, offline
// (state_dir_source.cpp). The commands are written once against this interface; where the two
// sources know different things (the live bays, a catalog summary; the camera's handle of a
// recording), the answer says which it is and the command prints what it got.
#pragma once

#include "common/ed25519.hpp"
#include "core/catalog/catalog.hpp"
#include "core/catalog/report_facts.hpp"
#include "core/catalog/state_verifier.hpp"
#include "cradlectl/arguments.hpp"
#include "cradlectl/bus_client.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

namespace cradle::ctl {

// No device with the serial asked for (offline; the daemon says so in its own error).
class NoSuchDevice : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// A change asked of a source that cannot make it: offline, only the running daemon changes
// the register and the roster. The message is "<command> needs the running daemon".
class NeedsDaemon : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// One device's register entry, and the outcome of its last dock ("" if it never docked) when
// the source knows it.
struct DeviceEntry {
    DeviceRow device;
    std::optional<std::string> last_outcome;
};

// Recordings as the views show them. Offline, each row's key comes too (in the same order):
// the camera's handle and the name's raw bytes, which the bus does not carry.
struct RecordingList {
    std::vector<RecordingInfo> recordings;
    std::optional<std::vector<RecordingKey>> camera_keys;
};

// What a verification found. The daemon reports the archive files it checked; offline the
// verifier also counts recordings and audit entries, and lists the quarantine.
struct VerifyOutcome {
    bool ok = false;
    std::uint64_t files_checked = 0;
    std::vector<std::string> problems;
    std::optional<std::uint64_t> recordings_checked;
    std::optional<std::uint64_t> audit_entries_checked;
    std::optional<std::vector<std::string>> quarantined;
    // Offline: the fingerprints of the keys that sign the audit log, in order, and how many
    // entries carry a good signature.
    std::optional<std::vector<std::string>> signing_keys;
    std::optional<std::uint64_t> signed_entries;
    std::optional<std::uint64_t> anchors_checked;
    std::optional<std::int64_t> anchored_through;
};

// `status` over the bus: the service and its bays, live.
struct LiveStatus {
    ServiceInfo service;
    std::vector<BayInfo> bays;
};

// `status` offline: a summary of the catalog and the quarantine.
struct CatalogStatus {
    std::string state_dir;
    std::int64_t schema_version = 0;
    std::uint64_t devices = 0;
    std::uint64_t registered_devices = 0;
    std::map<RecordingState, std::uint64_t> recordings_by_state;  // copying, archived, wiped
    std::uint64_t recordings = 0;
    std::uint64_t open_dock_sessions = 0;
    std::uint64_t bytes_archived = 0;
    std::uint64_t quarantined_files = 0;
    std::optional<AuditRow> last_audit;
};

using StatusSummary = std::variant<LiveStatus, CatalogStatus>;

// Each question may throw what its source fails with: BusClientError over the bus; offline
// CatalogError (the catalog cannot be read), NoSuchDevice, NeedsDaemon for a change.
class DataSource {
  public:
    virtual ~DataSource() = default;

    // "the system bus", "the bus ADDRESS", or "the state directory DIR", for messages.
    virtual std::string description() const = 0;

    virtual StatusSummary status() = 0;
    // status --watch: tells the watcher every bay's state and then every change (BusClient's
    // watch); with wait_for_service, first waits for cradled to come onto the bus (interrupted
    // while waiting: WatchEnd::interrupted).
    virtual WatchEnd watch(BayWatcher& watcher, bool wait_for_service) = 0;

    // The register and every camera seen, with each device's retirement.
    virtual std::vector<DeviceRow> devices() = 0;
    virtual DeviceEntry device(const std::string& serial) = 0;
    virtual RecordingList recordings(const RecordingFilter& filter) = 0;
    // Offline only: the public key the log's first key must be, and the anchors to check.
    virtual VerifyOutcome verify(const VerifyOptions& options) = 0;
    // The public key that signs the audit log now: the daemon's, or offline the one its log
    // names last (nullopt: the log names none).
    virtual std::optional<PublicKey> signing_key() = 0;
    // The register's changes; serial "" for every device, times 0 = open.
    virtual std::vector<DeviceHistoryRow> history(const std::string& serial, std::int64_t from,
                                                  std::int64_t to) = 0;
    // The officers' roster, by badge.
    virtual std::vector<OfficerRow> officers() = 0;
    // The facts of the reports, with the period and the date asked for filled in.
    virtual reports::AssignmentsInput assignments_facts(reports::Period period) = 0;
    virtual reports::DockDayInput dock_day_facts(const std::string& date, reports::Period day) = 0;

    // The changes: the running daemon alone makes them.
    virtual void register_device(const std::string& serial, const std::string& custodian,
                                 const std::string& officer, const std::string& head) = 0;
    virtual void assign_device(const std::string& serial, const std::string& officer) = 0;
    virtual void retire_device(const std::string& serial, const std::string& reason) = 0;
    // identity rotate: the new signing key's fingerprint (the daemon only).
    virtual std::string rotate_signing_key(const std::string& reason) = 0;
    // An archived recording's file to copy out, put on record with `reason` (the daemon only:
    // an export is on record before it is handed over).
    virtual OpenedRecording open_recording(std::int64_t id, const std::string& reason) = 0;
    // Marks a device or a recording confidential, or takes the mark back (the daemon only);
    // false when it already was as asked.
    virtual bool set_confidential(const std::string& kind, const std::string& target,
                                  bool confidential, const std::string& reason) = 0;
    // Adds or updates officers, all or none; returns how many changed.
    virtual std::uint32_t import_officers(const std::vector<reports::OfficerFacts>& officers) = 0;
};

// The running daemon on the bus at `address` ("" = the system bus). Connects at the first
// question, so that a command checks its own input (an import file) before the bus.
std::unique_ptr<DataSource> make_bus_source(const std::string& address);

// The state directory's catalog, read-only (safe while the daemon runs); opened at the first
// question.
std::unique_ptr<DataSource> make_state_dir_source(const std::filesystem::path& state_dir);

}  // namespace cradle::ctl
