// The commands that ask the running daemon over D-Bus: the same views as the offline ones, with
// the same JSON field names, plus the live state of the bays and the register's changes.
#include "cradlectl/bay_line.hpp"
#include "cradlectl/bus_client.hpp"
#include "cradlectl/catalog_rows.hpp"
#include "cradlectl/commands.hpp"
#include "cradlectl/text_output.hpp"

#include <string>
#include <vector>

namespace cradle::ctl {

int bus_status(const Invocation& invocation, std::ostream& out) {
    BusClient bus(invocation.bus_address);
    const ServiceInfo service = bus.service_info();
    const std::vector<BayInfo> bays = bus.list_bays();
    if (invocation.json) {
        std::vector<std::string> elements;
        for (const BayInfo& bay : bays) elements.push_back(bay_json(bay));
        JsonObject status;
        status.add("version", service.version)
            .add("state_dir", service.state_directory)
            .add("clock_synchronised", service.clock_synchronised)
            .add("bay_count", static_cast<std::uint64_t>(service.bay_count))
            .add_json("bays", json_array(elements));
        out << status.str() << '\n';
        return kExitOk;
    }
    print_fields(out,
                 {
                     {"cradled", service.version},
                     {"state directory", service.state_directory},
                     {"clock", service.clock_synchronised ? "synchronised" : "not synchronised"},
                     {"bays", std::to_string(service.bay_count)},
                 });
    out << '\n';
    for (const BayInfo& bay : bays) out << bay_line(bay) << '\n';
    return kExitOk;
}

int bus_devices(const Invocation& invocation, std::ostream& out) {
    BusClient bus(invocation.bus_address);
    std::vector<DeviceRow> devices = bus.list_devices();
    add_retirement(devices, bus.device_history("", 0, 0));
    print_devices(out, devices, invocation.json);
    return kExitOk;
}

int bus_device(const Invocation& invocation, std::ostream& out) {
    BusClient bus(invocation.bus_address);
    const std::string& serial = invocation.operands.at(0);
    std::vector<DeviceRow> device_of = {bus.get_device(serial)};
    add_retirement(device_of, bus.device_history(serial, 0, 0));
    const DeviceRow& device = device_of.front();
    std::string last_outcome;
    try {
        last_outcome = bus.device_last_outcome(serial);
    } catch (const BusClientError& error) {
        // The device's object is an addition to GetDevice; without it the entry is still whole.
        if (error.failure() == BusFailure::unreachable) throw;
    }
    print_device(out, device, invocation.json, last_outcome);
    return kExitOk;
}

int bus_recordings(const Invocation& invocation, std::ostream& out) {
    BusClient bus(invocation.bus_address);
    const RecordingFilter& filter = invocation.filter;
    print_recordings(
        out,
        bus.list_recordings(filter.serial, filter.captured_from, filter.captured_to, filter.limit),
        invocation.json);
    return kExitOk;
}

int bus_verify(const Invocation& invocation, std::ostream& out) {
    BusClient bus(invocation.bus_address);
    const RemoteVerifyReport report = bus.verify();
    // The daemon's word and its list agree by contract; a list with entries is never "ok".
    const bool ok = report.ok && report.problems.empty();
    if (invocation.json) {
        std::vector<std::string> problems;
        for (const std::string& problem : report.problems) problems.push_back(json_string(problem));
        JsonObject object;
        object.add("ok", ok)
            .add("files_checked", report.files_checked)
            .add_json("problems", json_array(problems));
        out << object.str() << '\n';
    } else {
        for (const std::string& problem : report.problems) out << printable(problem) << '\n';
        const std::string counts = std::to_string(report.files_checked) + " archive files checked";
        if (ok) {
            out << "verify: ok (" << counts << ")\n";
        } else {
            out << "verify: " << report.problems.size()
                << (report.problems.size() == 1 ? " problem (" : " problems (") << counts << ")\n";
        }
    }
    return ok ? kExitOk : kExitProblems;
}

int bus_register(const Invocation& invocation, std::ostream& out) {
    BusClient bus(invocation.bus_address);
    const std::string& serial = invocation.operands.at(0);
    bus.register_device(serial, *invocation.custodian, *invocation.officer, *invocation.head);
    out << "registered " << printable(serial) << ": custodian " << printable(*invocation.custodian)
        << ", officer " << printable(*invocation.officer) << ", head "
        << printable(*invocation.head) << '\n';
    return kExitOk;
}

int bus_assign(const Invocation& invocation, std::ostream& out) {
    BusClient bus(invocation.bus_address);
    const std::string& serial = invocation.operands.at(0);
    const std::string& officer = invocation.operands.at(1);
    bus.assign_device(serial, officer);
    out << "assigned " << printable(serial) << " to " << printable(officer) << '\n';
    return kExitOk;
}

}  // namespace cradle::ctl
