// The register's bulk and history commands: retire, history, import devices, export devices.
// history and export read the catalog offline as well (--state-dir); retire and import change
// the register and so go through the daemon.
#include "core/catalog/catalog.hpp"
#include "cradlectl/bus_client.hpp"
#include "cradlectl/catalog_rows.hpp"
#include "cradlectl/command_files.hpp"
#include "cradlectl/commands.hpp"
#include "cradlectl/register_csv.hpp"
#include "cradlectl/text_output.hpp"

#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace cradle::ctl {
namespace {

// "officer: pool -> 李娜; head: ..." for the fields a change changed.
std::string changes_of(const DeviceHistoryRow& row) {
    if (row.action == "registered" || row.action == "retired") return {};
    std::string text;
    auto note = [&text](const char* name, const std::string& before, const std::string& after) {
        if (before == after) return;
        if (!text.empty()) text += "; ";
        text += std::string(name) + " was " + (before.empty() ? "-" : before);
    };
    note("custodian", row.previous_custodian, row.custodian);
    note("officer", row.previous_officer, row.officer);
    note("head", row.previous_head, row.head);
    return text;
}

void print_history(std::ostream& out, const std::vector<DeviceHistoryRow>& history, bool json) {
    if (json) {
        std::vector<std::string> elements;
        for (const DeviceHistoryRow& row : history) {
            JsonObject object;
            object.add("at", utc_iso8601(row.at))
                .add("serial", row.serial)
                .add("action", row.action)
                .add("custodian", row.custodian)
                .add("officer", row.officer)
                .add("head", row.head)
                .add("previous_custodian", row.previous_custodian)
                .add("previous_officer", row.previous_officer)
                .add("previous_head", row.previous_head)
                .add("changed_by", row.changed_by)
                .add("reason", row.reason);
            elements.push_back(object.str());
        }
        out << json_array(elements) << '\n';
        return;
    }
    if (history.empty()) {
        out << "no register changes\n";
        return;
    }
    TextTable table({"TIME (UTC)", "SERIAL", "ACTION", "CUSTODIAN", "OFFICER", "HEAD", "BY",
                     "BEFORE", "REASON"});
    for (const DeviceHistoryRow& row : history) {
        table.add_row({utc_iso8601(row.at), printable(row.serial), row.action,
                       text_or_dash(printable(row.custodian)), text_or_dash(printable(row.officer)),
                       text_or_dash(printable(row.head)), text_or_dash(printable(row.changed_by)),
                       text_or_dash(printable(changes_of(row))),
                       text_or_dash(printable(row.reason))});
    }
    table.print(out);
}

}  // namespace

int show_history(const OfflineOptions& options, std::ostream& out) {
    Catalog catalog = Catalog::open_read_only(options.state_dir / "catalog.sqlite");
    if (!options.serial.empty() && !catalog.find_device(options.serial)) {
        throw NoSuchDevice("no device with serial '" + printable(options.serial) +
                           "' in the catalog");
    }
    print_history(out,
                  catalog.device_history(options.serial, options.filter.captured_from,
                                         options.filter.captured_to),
                  options.json);
    return kExitOk;
}

int export_devices(const OfflineOptions& options, std::ostream& out) {
    Catalog catalog = Catalog::open_read_only(options.state_dir / "catalog.sqlite");
    write_output(options.output, out, device_export(catalog.devices()));
    return kExitOk;
}

int bus_retire(const Invocation& invocation, std::ostream& out) {
    BusClient bus(invocation.bus_address);
    const std::string& serial = invocation.operands.at(0);
    bus.retire_device(serial, *invocation.reason);
    out << "retired " << printable(serial) << ": " << printable(*invocation.reason) << '\n';
    return kExitOk;
}

int bus_history(const Invocation& invocation, std::ostream& out) {
    BusClient bus(invocation.bus_address);
    const std::string serial = invocation.operands.empty() ? "" : invocation.operands.front();
    print_history(
        out,
        bus.device_history(serial, invocation.filter.captured_from, invocation.filter.captured_to),
        invocation.json);
    return kExitOk;
}

int bus_export(const Invocation& invocation, std::ostream& out) {
    BusClient bus(invocation.bus_address);
    std::vector<DeviceRow> devices = bus.list_devices();
    add_retirement(devices, bus.device_history("", 0, 0));
    write_output(invocation.output, out, device_export(devices));
    return kExitOk;
}

int bus_import(const Invocation& invocation, std::ostream& out) {
    const std::string& file = invocation.operands.at(1);
    const DeviceImport import = read_device_import(read_import_file(file));
    if (!import.problems.empty()) return refuse_import(file, import.problems);
    BusClient bus(invocation.bus_address);
    std::map<std::string, DeviceRow> current;
    for (DeviceRow& device : bus.list_devices()) current[device.serial] = std::move(device);
    std::size_t changed = 0;
    std::size_t unchanged = 0;
    for (const DeviceImportRow& row : import.rows) {
        auto found = current.find(row.serial);
        if (found != current.end() && found->second.registered &&
            found->second.custodian == row.custodian && found->second.officer == row.officer &&
            found->second.head == row.head) {
            ++unchanged;
            continue;
        }
        try {
            bus.register_device(row.serial, row.custodian, row.officer, row.head);
        } catch (const BusClientError&) {
            std::cerr << "cradlectl: " << printable(file) << ": line " << row.line << " ("
                      << printable(row.serial) << ") was not applied; " << changed
                      << " earlier changed rows were\n";
            throw;
        }
        ++changed;
    }
    out << "import: " << changed << (changed == 1 ? " device" : " devices")
        << " registered or changed, " << unchanged << " unchanged\n";
    return kExitOk;
}

}  // namespace cradle::ctl
