// SPDX-License-Identifier: Apache-2.0
// The data source over D-Bus: each question is a call to the running daemon (BusClient).
#include "cradlectl/bus_client.hpp"
#include "cradlectl/catalog_rows.hpp"
#include "cradlectl/data_source.hpp"

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace cradle::ctl {
namespace {

class BusSource final : public DataSource {
  public:
    explicit BusSource(std::string address) : address_(std::move(address)) {}

    std::string description() const override {
        return bus_               ? bus_->bus_description()
               : address_.empty() ? "the system bus"
                                  : "the bus " + address_;
    }

    StatusSummary status() override {
        LiveStatus status;
        status.service = bus().service_info();
        status.bays = bus().list_bays();
        return status;
    }

    WatchEnd watch(BayWatcher& watcher, bool wait_for_service) override {
        if (wait_for_service && !bus().wait_for_service()) return WatchEnd::interrupted;
        return bus().watch(watcher);
    }

    // ListDevices carries no retirement; the register's history does.
    std::vector<DeviceRow> devices() override {
        std::vector<DeviceRow> devices = bus().list_devices();
        add_retirement(devices, bus().device_history("", 0, 0));
        return devices;
    }

    DeviceEntry device(const std::string& serial) override {
        std::vector<DeviceRow> device_of = {bus().get_device(serial)};
        add_retirement(device_of, bus().device_history(serial, 0, 0));
        DeviceEntry entry{std::move(device_of.front()), std::string()};
        try {
            entry.last_outcome = bus().device_last_outcome(serial);
        } catch (const BusClientError& error) {
            // The device's object is an addition to GetDevice; without it the entry is still
            // whole.
            if (error.failure() == BusFailure::unreachable) throw;
        }
        return entry;
    }

    RecordingList recordings(const RecordingFilter& filter) override {
        return RecordingList{bus().list_recordings(filter.serial, filter.captured_from,
                                                   filter.captured_to, filter.limit),
                             std::nullopt};
    }

    VerifyOutcome verify(const VerifyOptions&) override {
        RemoteVerifyReport report = bus().verify();
        VerifyOutcome outcome;
        // The daemon's word and its list agree by contract; a list with entries is never "ok".
        outcome.ok = report.ok && report.problems.empty();
        outcome.files_checked = report.files_checked;
        outcome.problems = std::move(report.problems);
        return outcome;
    }

    std::optional<PublicKey> signing_key() override {
        const ServiceInfo info = bus().service_info();
        try {
            return PublicKey::from_pem(info.signing_key);
        } catch (const KeyError& error) {
            throw BusClientError(BusFailure::failed,
                                 "the daemon's SigningKey property: " + std::string(error.what()));
        }
    }

    std::vector<DeviceHistoryRow> history(const std::string& serial, std::int64_t from,
                                          std::int64_t to) override {
        return bus().device_history(serial, from, to);
    }

    std::vector<OfficerRow> officers() override { return bus().list_officers(); }

    reports::AssignmentsInput assignments_facts(reports::Period period) override {
        return bus().assignments_facts(period);
    }

    reports::DockDayInput dock_day_facts(const std::string& date, reports::Period day) override {
        return bus().dock_day_facts(date, day);
    }

    void register_device(const std::string& serial, const std::string& custodian,
                         const std::string& officer, const std::string& head) override {
        bus().register_device(serial, custodian, officer, head);
    }

    void assign_device(const std::string& serial, const std::string& officer) override {
        bus().assign_device(serial, officer);
    }

    void retire_device(const std::string& serial, const std::string& reason) override {
        bus().retire_device(serial, reason);
    }
    std::string rotate_signing_key(const std::string& reason) override {
        return bus().rotate_signing_key(reason);
    }
    OpenedRecording open_recording(std::int64_t id, const std::string& reason) override {
        return bus().open_recording(id, reason);
    }
    bool set_confidential(const std::string& kind, const std::string& target, bool confidential,
                          const std::string& reason) override {
        return bus().set_confidential(kind, target, confidential, reason);
    }

    std::uint32_t import_officers(const std::vector<reports::OfficerFacts>& officers) override {
        return bus().import_officers(officers);
    }

  private:
    // Connected at the first question: BusClientError (unreachable) when it cannot be.
    BusClient& bus() {
        if (!bus_) bus_ = std::make_unique<BusClient>(address_);
        return *bus_;
    }

    std::string address_;
    std::unique_ptr<BusClient> bus_;
};

}  // namespace

std::unique_ptr<DataSource> make_bus_source(const std::string& address) {
    return std::make_unique<BusSource>(address);
}

}  // namespace cradle::ctl
