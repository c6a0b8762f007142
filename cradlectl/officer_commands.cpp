// The officers' roster in bulk: import officers (through the daemon, which alone changes the
// catalog) and export officers (over the bus, or offline from the state directory).
#include "core/catalog/catalog.hpp"
#include "cradlectl/bus_client.hpp"
#include "cradlectl/command_files.hpp"
#include "cradlectl/commands.hpp"
#include "cradlectl/officer_csv.hpp"

#include <string>
#include <vector>

namespace cradle::ctl {

int export_officers(const OfflineOptions& options, std::ostream& out) {
    Catalog catalog = Catalog::open_read_only(options.state_dir / "catalog.sqlite");
    write_output(options.output, out, officer_export(catalog.officers()));
    return kExitOk;
}

int bus_export_officers(const Invocation& invocation, std::ostream& out) {
    BusClient bus(invocation.bus_address);
    write_output(invocation.output, out, officer_export(bus.list_officers()));
    return kExitOk;
}

int bus_import_officers(const Invocation& invocation, std::ostream& out) {
    const std::string& file = invocation.operands.at(1);
    const OfficerImport import = read_officer_import(read_import_file(file));
    if (!import.problems.empty()) return refuse_import(file, import.problems);
    std::vector<reports::OfficerFacts> officers;
    officers.reserve(import.rows.size());
    for (const OfficerImportRow& row : import.rows) {
        officers.push_back(reports::OfficerFacts{row.badge, row.name, row.team});
    }
    BusClient bus(invocation.bus_address);
    const std::uint32_t changed = bus.import_officers(officers);
    const std::size_t unchanged = officers.size() - changed;
    out << "import: " << changed << (changed == 1 ? " officer" : " officers")
        << " added or changed, " << unchanged << " unchanged\n";
    return kExitOk;
}

}  // namespace cradle::ctl
