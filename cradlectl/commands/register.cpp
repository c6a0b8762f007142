// SPDX-License-Identifier: Apache-2.0
// register, assign, retire: the register's changes, one device at a time; the running daemon
// makes them (root or the custodian group).
#include "cradlectl/commands.hpp"
#include "cradlectl/data_source.hpp"
#include "cradlectl/text_output.hpp"

#include <string>

namespace cradle::ctl {

int register_command(const Invocation& invocation, DataSource& source, std::ostream& out) {
    const std::string& serial = invocation.operands.at(0);
    source.register_device(serial, *invocation.custodian, *invocation.officer, *invocation.head);
    out << "registered " << printable(serial) << ": custodian " << printable(*invocation.custodian)
        << ", officer " << printable(*invocation.officer) << ", head "
        << printable(*invocation.head) << '\n';
    return kExitOk;
}

int assign_command(const Invocation& invocation, DataSource& source, std::ostream& out) {
    const std::string& serial = invocation.operands.at(0);
    const std::string& officer = invocation.operands.at(1);
    source.assign_device(serial, officer);
    out << "assigned " << printable(serial) << " to " << printable(officer) << '\n';
    return kExitOk;
}

int retire_command(const Invocation& invocation, DataSource& source, std::ostream& out) {
    const std::string& serial = invocation.operands.at(0);
    source.retire_device(serial, *invocation.reason);
    out << "retired " << printable(serial) << ": " << printable(*invocation.reason) << '\n';
    return kExitOk;
}

}  // namespace cradle::ctl
