// SPDX-License-Identifier: Apache-2.0
// rebuild-catalog: a catalog from the archive alone, for IT, with the service stopped
// (docs/operations.md, "Catalog behind the archive").
#include "core/catalog/catalog_rebuild.hpp"
#include "cradlectl/commands.hpp"
#include "cradlectl/text_output.hpp"

#include <chrono>
#include <filesystem>
#include <iostream>
#include <stdexcept>

namespace cradle::ctl {

int rebuild_catalog_command(const Invocation& invocation, DataSource&, std::ostream& out) {
    // The command line sends it here with --state-dir only; never the working directory.
    if (!invocation.state_dir) throw std::invalid_argument("rebuild-catalog needs --state-dir DIR");
    const std::filesystem::path state_dir = *invocation.state_dir;
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    out << "rebuild-catalog: reading the archive of " << printable(state_dir.string())
        << " (nothing in the archive is changed, moved or deleted)\n";
    RebuildReport report = rebuild_catalog(state_dir, now);
    if (!report.refused.empty()) {
        std::cerr << "cradlectl: rebuild-catalog: " << printable(report.refused) << '\n';
        return kExitUsage;
    }
    for (const std::string& line : report.disagreements) out << printable(line) << '\n';
    out << "rebuild-catalog: catalog written: " << report.devices << " device(s), "
        << report.recordings << " recording(s) (" << report.wiped << " wiped), "
        << report.audit_entries << " audit entries restored from the archive's journal\n";
    out << "rebuild-catalog: the register (custodian, officer, head of each camera) and the "
           "officers' roster are not kept in the archive: the cameras are catalogued "
           "unregistered; cradled applies the configured [[register]] again when it starts; "
           "register changes made since, and the roster, must be entered again (cradlectl "
           "import devices, import officers)\n";
    if (!report.disagreements.empty()) {
        out << "rebuild-catalog: " << report.disagreements.size()
            << " disagreement(s) above: the files named were left where they are; when cradled "
               "starts it moves those the catalog does not hold to quarantine/ for a custodian\n";
        return kExitProblems;
    }
    out << "rebuild-catalog: every archived file matched its record; check with cradlectl "
           "--state-dir "
        << printable(state_dir.string()) << " verify, then start cradled\n";
    return kExitOk;
}

}  // namespace cradle::ctl
