// SPDX-License-Identifier: Apache-2.0
// verify: the end-to-end check of archive, catalog and audit log. The daemon reports the files
// it checked; offline the verifier (the fault tests' invariant checker) also counts
// recordings and audit entries, checks every audit entry's signature (with --public-key, against
// the key an auditor holds), and lists what start-up recovery put into quarantine.
#include "common/read_file.hpp"
#include "core/catalog/audit_anchor.hpp"
#include "core/catalog/signing_identity.hpp"
#include "cradlectl/commands.hpp"
#include "cradlectl/data_source.hpp"
#include "cradlectl/text_output.hpp"

#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

namespace cradle::ctl {
namespace {

// A journal export of years of anchors stays far below this.
constexpr std::size_t kMaxAnchorFileBytes = 256u << 20;

std::string read_standard_input(std::size_t max_bytes) {
    std::string text;
    char buffer[65536];
    while (std::cin.read(buffer, sizeof buffer) || std::cin.gcount() > 0) {
        text.append(buffer, static_cast<std::size_t>(std::cin.gcount()));
        if (text.size() > max_bytes) throw std::runtime_error("standard input: too long");
    }
    return text;
}

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
    if (outcome.signing_keys) {
        object.add_json("signing_keys", json_array(json_strings(*outcome.signing_keys)));
    }
    if (outcome.signed_entries) object.add("signed_entries", *outcome.signed_entries);
    if (outcome.anchors_checked) object.add("anchors_checked", *outcome.anchors_checked);
    if (outcome.anchored_through) object.add("anchored_through", *outcome.anchored_through);
    object.add_json("problems", json_array(json_strings(outcome.problems)));
    if (outcome.quarantined) {
        object.add_json("quarantined", json_array(json_strings(*outcome.quarantined)));
    }
    out << object.str() << '\n';
}

void print_text(std::ostream& out, const VerifyOutcome& outcome, bool key_given) {
    for (const std::string& problem : outcome.problems) out << printable(problem) << '\n';
    if (outcome.signing_keys && !outcome.signing_keys->empty()) {
        out << "audit log signed by key " << outcome.signing_keys->front();
        for (std::size_t i = 1; i < outcome.signing_keys->size(); ++i) {
            out << ", then (rotated) " << (*outcome.signing_keys)[i];
        }
        out << (key_given ? " (the key given)\n"
                          : "\n  compare this fingerprint with the one IT recorded at install, or "
                            "give --public-key FILE\n");
    }
    if (outcome.anchors_checked) {
        out << *outcome.anchors_checked << " anchor(s) checked";
        if (outcome.anchored_through && *outcome.anchored_through > 0) {
            out << ": nothing removed or changed up to entry " << *outcome.anchored_through;
        }
        out << '\n';
    }
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
    VerifyOptions options;
    if (invocation.public_key) options.trusted_key = read_public_key(*invocation.public_key);
    std::vector<std::string> anchor_problems;
    if (invocation.anchor) {
        const std::string& file = *invocation.anchor;
        const std::string text = file == "-" ? read_standard_input(kMaxAnchorFileBytes)
                                             : read_whole_file(file, kMaxAnchorFileBytes);
        options.anchors = parse_anchors(text, anchor_problems);
        if (options.anchors.empty()) {
            throw std::runtime_error(
                (file == "-" ? std::string("standard input") : file) +
                " holds no anchor line (cradled-anchor v1 ...): export them with journalctl -u "
                "cradled -g cradled-anchor -o cat, or cradlectl remote anchors");
        }
    }
    VerifyOutcome outcome = source.verify(options);
    for (std::string& problem : anchor_problems) outcome.problems.push_back(std::move(problem));
    outcome.ok = outcome.ok && anchor_problems.empty();
    if (invocation.json) {
        print_json(out, outcome);
    } else {
        print_text(out, outcome, options.trusted_key.has_value());
    }
    return outcome.ok ? kExitOk : kExitProblems;
}

}  // namespace cradle::ctl
