// SPDX-License-Identifier: Apache-2.0
// cradlectl's side of the D-Bus API of cradled (dbus/org.cradled.Cradle1.xml): typed method
// calls, and the signals a live status view follows. sd-bus stays behind this header.
#pragma once

#include "common/fs.hpp"

#include "core/catalog/catalog.hpp"
#include "core/catalog/report_facts.hpp"

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace cradle::ctl {

// One bay, as ListBays and the Bay objects' properties give it.
struct BayInfo {
    std::uint32_t bay = 0;
    std::string phase;
    std::string light;
    std::string serial;
    std::string model;
    std::string outcome;
    std::int64_t docked_since = 0;
    std::uint32_t recordings_done = 0;
    std::uint32_t recordings_total = 0;
    std::uint64_t bytes_done = 0;
    std::uint64_t bytes_total = 0;
    double rate_bytes_per_s = 0;
    std::int64_t eta_s = -1;
};

// One recording as ListRecordings gives it (the offline views make the same of a catalog row).
struct RecordingInfo {
    std::int64_t id = 0;
    std::string serial;
    std::string name;
    std::uint64_t size = 0;
    std::string state;
    std::string sha256;
    std::string archive_path;
    std::int64_t captured = 0;
    std::int64_t archived_at = 0;
    std::int64_t wiped_at = 0;
};

struct ServiceInfo {
    std::string version;
    std::uint32_t bay_count = 0;
    std::string state_directory;
    bool clock_synchronised = false;
    std::string signing_key;  // PEM
    std::string signing_key_fingerprint;
};

struct RemoteVerifyReport {
    bool ok = false;
    std::uint64_t files_checked = 0;
    std::vector<std::string> problems;
};

struct DockFinished {
    std::uint32_t bay = 0;
    std::string serial;
    std::string light;
    std::string outcome;
    std::uint32_t archived = 0;
    std::uint32_t wiped = 0;
    std::uint32_t left = 0;
};

// Why a call failed, as far as the exit status is concerned.
enum class BusFailure {
    unreachable,     // no bus, cradled not on it, no answer, connection lost
    access_denied,   // the caller may not do this
    no_such_device,  // org.cradled.Cradle1.Error.NoSuchDevice
    invalid_args,    // the service refused an argument
    failed,          // any other error the service reported
};

class BusClientError : public std::runtime_error {
  public:
    BusClientError(BusFailure failure, const std::string& message)
        : std::runtime_error(message), failure_(failure) {}
    BusFailure failure() const { return failure_; }

  private:
    BusFailure failure_;
};

// What a watch is told, on the calling thread, from BusClient::watch.
class BayWatcher {
  public:
    virtual ~BayWatcher() = default;
    // A bay's state after a change (the whole state, not only what changed).
    virtual void bay_changed(const BayInfo& bay) = 0;
    virtual void dock_finished(const DockFinished& dock) = 0;
    // Asked after each batch of events: true ends the watch.
    virtual bool done() const = 0;
};

enum class WatchEnd {
    done,         // the watcher said so
    interrupted,  // SIGINT or SIGTERM
    service_left  // cradled left the bus
};

// A recording's file handed over by the service (OpenRecording), to copy out of the archive.
struct OpenedRecording {
    Fd file;  // read-only
    std::string sha256_hex;
    std::uint64_t size = 0;
    std::string name;
};

class BusClient {
  public:
    // address: a D-Bus address ("unix:path=..."); empty: the system bus (DBUS_SYSTEM_BUS_ADDRESS
    // when set). Throws BusClientError (unreachable) when the bus cannot be reached.
    explicit BusClient(const std::string& address);
    ~BusClient();
    BusClient(const BusClient&) = delete;
    BusClient& operator=(const BusClient&) = delete;

    // "the system bus" or "the bus ADDRESS", for messages.
    const std::string& bus_description() const { return bus_description_; }

    // Each throws BusClientError.
    ServiceInfo service_info();
    std::vector<BayInfo> list_bays();
    // Devices as the catalog's rows, with the fields the bus carries (id, the catalog's own
    // key, is not among them and stays 0).
    std::vector<DeviceRow> list_devices();
    DeviceRow get_device(const std::string& serial);
    // The outcome of a device's last dock ("" if it never docked).
    std::string device_last_outcome(const std::string& serial);
    std::vector<RecordingInfo> list_recordings(const std::string& serial,
                                               std::int64_t captured_from, std::int64_t captured_to,
                                               std::uint32_t limit);
    RemoteVerifyReport verify();
    void register_device(const std::string& serial, const std::string& custodian,
                         const std::string& officer, const std::string& head);
    void assign_device(const std::string& serial, const std::string& officer);
    void retire_device(const std::string& serial, const std::string& reason);
    // OpenRecording: the file of an archived recording, put on record with `reason`.
    OpenedRecording open_recording(std::int64_t id, const std::string& reason);
    // SetConfidential: kind "device" (target a serial) or "recording" (target its id); false
    // when it already was as asked.
    bool set_confidential(const std::string& kind, const std::string& target, bool confidential,
                          const std::string& reason);
    // RotateSigningKey: the new key's fingerprint.
    std::string rotate_signing_key(const std::string& reason);
    // The register's changes (GetDeviceHistory); serial "" for every device, times 0 = open.
    std::vector<DeviceHistoryRow> device_history(const std::string& serial, std::int64_t from,
                                                 std::int64_t to);
    // The facts of the reports (GetAssignmentsFacts, GetDockDayFacts), with the period and the
    // date asked for filled in.
    reports::AssignmentsInput assignments_facts(reports::Period period);
    reports::DockDayInput dock_day_facts(const std::string& date, reports::Period day);
    // The officers' roster (ListOfficers), by badge.
    std::vector<OfficerRow> list_officers();
    // Adds or updates officers (ImportOfficers); returns how many changed.
    std::uint32_t import_officers(const std::vector<reports::OfficerFacts>& officers);

    // Returns once cradled owns its name on the bus (at once when it does already), or when
    // SIGINT or SIGTERM arrives (false).
    bool wait_for_service();

    // Follows the bays: subscribes to the service's signals, tells the watcher every bay's
    // state as it is then, and then every change, until the watcher is done, SIGINT or SIGTERM
    // arrives, or cradled leaves the bus.
    WatchEnd watch(BayWatcher& watcher);

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    std::string bus_description_;
};

}  // namespace cradle::ctl
