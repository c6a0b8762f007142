// SPDX-License-Identifier: Apache-2.0
// mark and unmark: a device (all its recordings, those to come too) or one recording marked
// confidential, or the mark taken back, by the running daemon, on record with the reason.
#include "cradlectl/commands.hpp"
#include "cradlectl/data_source.hpp"
#include "cradlectl/text_output.hpp"

namespace cradle::ctl {

int mark_command(const Invocation& invocation, DataSource& source, std::ostream& out) {
    const bool mark = invocation.command == "mark";
    const std::string& kind = invocation.operands.at(0);
    const std::string& target = invocation.operands.at(1);
    const bool changed = source.set_confidential(kind, target, mark, *invocation.reason);
    out << kind << ' ' << printable(target);
    if (changed) {
        out << (mark ? " marked confidential" : " no longer marked confidential") << '\n';
    } else {
        out << (mark ? " was already confidential" : " was not marked confidential")
            << ": nothing changed\n";
    }
    return kExitOk;
}

}  // namespace cradle::ctl
