// SPDX-License-Identifier: Apache-2.0
// verify: the end-to-end check of archive, catalog and audit log. The daemon reports the files
// it checked; offline the verifier (the fault tests' invariant checker) also counts
// recordings and audit entries, and lists what start-up recovery put into quarantine.
#include "cradlectl/commands.hpp"
#include "cradlectl/data_source.hpp"
#include "cradlectl/text_output.hpp"

#include <string>
#include <vector>

namespace cradle::ctl {
namespace {

std::vector<std::string> json_strings(const std::vector<std::string>& texts) {
    std::vector<std::string> elements;
    for (const std::string& text : texts) elements.push_back(json_string(text));
    return elements;
}

void print_json(std::ostream& out, const VerifyOutcome& outcome) {
    JsonObject object;
    object.add("ok", outcome.ok);
    if (outcome.recordings_checked) object.add("recordings_checked", *outcome.recordings_checked);
    object.add("files_checked", outcome.files_checked);
    if (outcome.audit_entries_checked) {
        object.add("audit_entries_checked", *outcome.audit_entries_checked);
    }
    object.add_json("problems", json_array(json_strings(outcome.problems)));
    if (outcome.quarantined) {
        object.add_json("quarantined", json_array(json_strings(*outcome.quarantined)));
    }
    out << object.str() << '\n';
}

void print_text(std::ostream& out, const VerifyOutcome& outcome) {
    for (const std::string& problem : outcome.problems) out << printable(problem) << '\n';
    if (outcome.quarantined) {
        for (const std::string& file : *outcome.quarantined) {
            out << "quarantined: " << printable(file)
                << " (put aside by start-up recovery: the catalog did not account for it; a "
                   "custodian decides what it is)\n";
        }
    }
    std::string counts;
    if (outcome.recordings_checked) {
        counts += std::to_string(*outcome.recordings_checked) + " recordings, ";
    }
    counts += std::to_string(outcome.files_checked) + " archive files";
    if (outcome.audit_entries_checked) {
        counts += ", " + std::to_string(*outcome.audit_entries_checked) + " audit entries";
    }
    counts += " checked";
    if (outcome.ok) {
        out << "verify: ok (" << counts << ")\n";
    } else {
        out << "verify: " << outcome.problems.size()
            << (outcome.problems.size() == 1 ? " problem (" : " problems (") << counts << ")\n";
    }
}

}  // namespace

int verify_command(const Invocation& invocation, DataSource& source, std::ostream& out) {
    const VerifyOutcome outcome = source.verify();
    if (invocation.json) {
        print_json(out, outcome);
    } else {
        print_text(out, outcome);
    }
    return outcome.ok ? kExitOk : kExitProblems;
}

}  // namespace cradle::ctl
