// verify: the end-to-end check of archive, catalog and audit log (the fault tests' invariant
// checker, for custodians and IT).
#include "core/catalog/state_verifier.hpp"
#include "cradlectl/commands.hpp"
#include "cradlectl/text_output.hpp"

#include <string>
#include <vector>

namespace cradle::ctl {

int verify(const OfflineOptions& options, std::ostream& out) {
    VerifyReport report = verify_state(options.state_dir);
    if (options.json) {
        std::vector<std::string> problems;
        for (const std::string& problem : report.problems) problems.push_back(json_string(problem));
        std::vector<std::string> quarantined;
        for (const std::string& file : report.quarantined) quarantined.push_back(json_string(file));
        JsonObject object;
        object.add("ok", report.ok())
            .add("recordings_checked", static_cast<std::uint64_t>(report.recordings_checked))
            .add("files_checked", static_cast<std::uint64_t>(report.files_checked))
            .add("audit_entries_checked", static_cast<std::uint64_t>(report.audit_rows_checked))
            .add_json("problems", json_array(problems))
            .add_json("quarantined", json_array(quarantined));
        out << object.str() << '\n';
    } else {
        for (const std::string& problem : report.problems) out << printable(problem) << '\n';
        for (const std::string& file : report.quarantined) {
            out << "quarantined: " << printable(file)
                << " (put aside by start-up recovery: the catalog did not account for it; a "
                   "custodian decides what it is)\n";
        }
        std::string counts = std::to_string(report.recordings_checked) + " recordings, " +
                             std::to_string(report.files_checked) + " archive files, " +
                             std::to_string(report.audit_rows_checked) + " audit entries checked";
        if (report.ok()) {
            out << "verify: ok (" << counts << ")\n";
        } else {
            out << "verify: " << report.problems.size()
                << (report.problems.size() == 1 ? " problem (" : " problems (") << counts << ")\n";
        }
    }
    return report.ok() ? kExitOk : kExitProblems;
}

}  // namespace cradle::ctl
