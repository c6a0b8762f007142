// SPDX-License-Identifier: Apache-2.0
// device SERIAL: one device's entry, and the outcome of its last dock when the source knows it
// (the daemon does; a state directory's catalog alone does not say it).
#include "cradlectl/catalog_rows.hpp"
#include "cradlectl/commands.hpp"
#include "cradlectl/data_source.hpp"

namespace cradle::ctl {

int device_command(const Invocation& invocation, DataSource& source, std::ostream& out) {
    const DeviceEntry entry = source.device(invocation.operands.at(0));
    print_device(out, entry.device, invocation.json, entry.last_outcome);
    return kExitOk;
}

}  // namespace cradle::ctl
