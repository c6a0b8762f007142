// SPDX-License-Identifier: Apache-2.0
// devices: the device register and every camera the cradle has seen.
#include "cradlectl/catalog_rows.hpp"
#include "cradlectl/commands.hpp"
#include "cradlectl/data_source.hpp"

namespace cradle::ctl {

int devices_command(const Invocation& invocation, DataSource& source, std::ostream& out) {
    print_devices(out, source.devices(), invocation.json);
    return kExitOk;
}

}  // namespace cradle::ctl
