// SPDX-License-Identifier: Apache-2.0
// history [SERIAL]: the register's changes: when, what, who, what it was before.
#include "cradlectl/commands.hpp"
#include "cradlectl/data_source.hpp"
#include "cradlectl/text_output.hpp"

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

void print_json(std::ostream& out, const std::vector<DeviceHistoryRow>& history) {
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
}

void print_table(std::ostream& out, const std::vector<DeviceHistoryRow>& history) {
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

int history_command(const Invocation& invocation, DataSource& source, std::ostream& out) {
    const std::string serial = invocation.operands.empty() ? "" : invocation.operands.front();
    const std::vector<DeviceHistoryRow> history =
        source.history(serial, invocation.filter.captured_from, invocation.filter.captured_to);
    if (invocation.json) {
        print_json(out, history);
    } else {
        print_table(out, history);
    }
    return kExitOk;
}

}  // namespace cradle::ctl
