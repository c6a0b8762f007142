// SPDX-License-Identifier: Apache-2.0
// The data source offline: the catalog of a state directory, opened read-only through the core
// (safe while the daemon runs), and the state verifier. It answers every question; a change it
// refuses, since only the running daemon changes the register and the roster.
#include "core/catalog/catalog.hpp"
#include "core/catalog/report_queries.hpp"
#include "core/catalog/state_verifier.hpp"
#include "cradlectl/data_source.hpp"
#include "cradlectl/text_output.hpp"

#include <unistd.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace cradle::ctl {
namespace {

namespace fs = std::filesystem;

const DeviceRow& find_device(const std::vector<DeviceRow>& devices, const std::string& serial) {
    for (const DeviceRow& device : devices) {
        if (device.serial == serial) return device;
    }
    throw NoSuchDevice("no device " + printable(serial) + " in the catalog");
}

// The recordings the filter asks for, in catalog order; with a limit, the newest captures.
std::vector<RecordingRow> filtered(std::vector<RecordingRow> recordings,
                                   const RecordingFilter& filter,
                                   const std::vector<DeviceRow>& devices) {
    std::int64_t device_id = 0;
    if (!filter.serial.empty()) device_id = find_device(devices, filter.serial).id;
    std::erase_if(recordings, [&](const RecordingRow& row) {
        return (device_id != 0 && row.key.device_id != device_id) ||
               (filter.captured_from != 0 && row.key.captured_unix_s < filter.captured_from) ||
               (filter.captured_to != 0 && row.key.captured_unix_s > filter.captured_to);
    });
    if (filter.limit != 0 && recordings.size() > filter.limit) {
        std::stable_sort(recordings.begin(), recordings.end(), [](const auto& a, const auto& b) {
            return a.key.captured_unix_s < b.key.captured_unix_s;
        });
        recordings.erase(recordings.begin(),
                         recordings.end() - static_cast<std::ptrdiff_t>(filter.limit));
        std::sort(recordings.begin(), recordings.end(),
                  [](const auto& a, const auto& b) { return a.id < b.id; });
    }
    return recordings;
}

// The reports name the cradle: offline, the machine the state directory is on.
std::string host_name() {
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "cradle";
    return sanitize_text(name);
}

class StateDirSource final : public DataSource {
  public:
    explicit StateDirSource(fs::path state_dir) : state_dir_(std::move(state_dir)) {}

    std::string description() const override {
        return "the state directory " + state_dir_.string();
    }

    StatusSummary status() override;

    WatchEnd watch(BayWatcher&, bool) override {
        throw NeedsDaemon("status --watch needs the running daemon");
    }

    std::vector<DeviceRow> devices() override { return catalog().devices(); }

    DeviceEntry device(const std::string& serial) override {
        const std::vector<DeviceRow> devices = catalog().devices();
        return DeviceEntry{find_device(devices, serial), std::nullopt};
    }

    RecordingList recordings(const RecordingFilter& filter) override;

    VerifyOutcome verify(const VerifyOptions& options) override {
        VerifyReport report = verify_state(state_dir_, options);
        VerifyOutcome outcome;
        outcome.ok = report.ok();
        outcome.files_checked = report.files_checked;
        outcome.problems = std::move(report.problems);
        outcome.recordings_checked = report.recordings_checked;
        outcome.audit_entries_checked = report.audit_rows_checked;
        outcome.quarantined = std::move(report.quarantined);
        outcome.signing_keys = std::move(report.signing_keys);
        outcome.signed_entries = report.signed_entries;
        if (!options.anchors.empty()) {
            outcome.anchors_checked = report.anchors_checked;
            outcome.anchored_through = report.anchored_through;
        }
        return outcome;
    }

    std::optional<PublicKey> signing_key() override { return catalog().signing_key_of_log(); }

    std::vector<DeviceHistoryRow> history(const std::string& serial, std::int64_t from,
                                          std::int64_t to) override {
        if (!serial.empty() && !catalog().find_device(serial)) {
            throw NoSuchDevice("no device with serial '" + printable(serial) + "' in the catalog");
        }
        return catalog().device_history(serial, from, to);
    }

    std::vector<OfficerRow> officers() override { return catalog().officers(); }

    // Offline nobody is asked who reads: confidential recordings are withheld from the
    // reports as from a caller without org.cradled.read-confidential.
    reports::AssignmentsInput assignments_facts(reports::Period period) override {
        reports::AssignmentsInput facts = read_assignments_input(catalog(), period, host_name());
        withhold(facts.disagreements, confidential_among(catalog(), facts.disagreements));
        return facts;
    }

    reports::DockDayInput dock_day_facts(const std::string& date, reports::Period day) override {
        reports::DockDayInput facts = read_dock_day_input(catalog(), date, day, host_name());
        withhold(facts.recordings, confidential_among(catalog(), facts.recordings));
        return facts;
    }

    void register_device(const std::string&, const std::string&, const std::string&,
                         const std::string&) override {
        throw NeedsDaemon("register needs the running daemon");
    }
    void assign_device(const std::string&, const std::string&) override {
        throw NeedsDaemon("assign needs the running daemon");
    }
    void retire_device(const std::string&, const std::string&) override {
        throw NeedsDaemon("retire needs the running daemon");
    }
    std::string rotate_signing_key(const std::string&) override {
        throw NeedsDaemon("identity rotate needs the running daemon");
    }
    OpenedRecording open_recording(std::int64_t, const std::string&) override {
        throw NeedsDaemon("export recording needs the running daemon (an export is on record)");
    }
    bool set_confidential(const std::string&, const std::string&, bool,
                          const std::string&) override {
        throw NeedsDaemon("mark and unmark need the running daemon (a mark is on record)");
    }
    std::uint32_t import_officers(const std::vector<reports::OfficerFacts>&) override {
        throw NeedsDaemon("import needs the running daemon");
    }

  private:
    // Opened at the first question: CatalogError when it cannot be.
    Catalog& catalog() {
        if (!catalog_) catalog_.emplace(Catalog::open_read_only(state_dir_ / "catalog.sqlite"));
        return *catalog_;
    }

    fs::path state_dir_;
    std::optional<Catalog> catalog_;
};

StatusSummary StateDirSource::status() {
    const std::vector<DeviceRow> devices = catalog().devices();
    const std::vector<RecordingRow> recordings = catalog().recordings();
    const std::vector<DockSessionRow> docks = catalog().dock_sessions();
    const std::vector<AuditRow> audit = catalog().audit_rows();

    CatalogStatus status;
    status.state_dir = state_dir_.string();
    status.schema_version = catalog().schema_version();
    status.devices = devices.size();
    for (const DeviceRow& device : devices) status.registered_devices += device.registered ? 1 : 0;
    status.recordings_by_state = {
        {RecordingState::copying, 0}, {RecordingState::archived, 0}, {RecordingState::wiped, 0}};
    for (const RecordingRow& row : recordings) {
        ++status.recordings_by_state[row.state];
        if (row.state != RecordingState::copying) status.bytes_archived += row.key.size;
    }
    status.recordings = recordings.size();
    for (const DockSessionRow& dock : docks)
        status.open_dock_sessions += dock.ended_at == 0 ? 1 : 0;
    status.quarantined_files = quarantined_files(state_dir_).size();
    if (!audit.empty()) status.last_audit = audit.back();
    return status;
}

RecordingList StateDirSource::recordings(const RecordingFilter& filter) {
    const std::vector<DeviceRow> devices = catalog().devices();
    std::map<std::int64_t, std::string> serial_of;
    for (const DeviceRow& device : devices) serial_of[device.id] = device.serial;
    auto serial = [&](std::int64_t device_id) {
        auto found = serial_of.find(device_id);
        return found != serial_of.end() ? found->second : "#" + std::to_string(device_id);
    };
    RecordingList list;
    list.camera_keys.emplace();
    // Offline nobody is asked who reads: a confidential recording's facts are withheld.
    const ConfidentialMarks marks = catalog().confidential_marks();
    for (RecordingRow& row : filtered(catalog().recordings(), filter, devices)) {
        if (marks.covers(row)) {
            list.recordings.push_back(withheld_recording());
            list.camera_keys->push_back(RecordingKey{});
            continue;
        }
        list.recordings.push_back(
            RecordingInfo{row.id, serial(row.key.device_id), sanitize_text(row.key.name),
                          row.key.size, to_string(row.state), row.sha256_hex, row.archive_path,
                          row.key.captured_unix_s, row.archived_at, row.wiped_at});
        list.camera_keys->push_back(std::move(row.key));
    }
    return list;
}

}  // namespace

std::unique_ptr<DataSource> make_state_dir_source(const std::filesystem::path& state_dir) {
    return std::make_unique<StateDirSource>(state_dir);
}

}  // namespace cradle::ctl
