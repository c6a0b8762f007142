// SPDX-License-Identifier: Apache-2.0
// The service's start: its command line, the configuration, the backend that makes the cradle,
// the engine and its adapters (D-Bus, systemd). cradled runs it with the USB backend only;
// cradled-demo (tools/) runs the same with the emulated cradle added as backend "sim".
#pragma once

#include "core/config/config.hpp"
#include "hw/cradle.hpp"

#include <functional>
#include <map>
#include <memory>
#include <string>

namespace cradle {

// Makes the cradle of a backend from the configuration (config_file names it in messages);
// nothing, after saying why on stderr, when it cannot.
using CradleFactory =
    std::function<std::unique_ptr<hw::Cradle>(const Config&, const std::string& config_file)>;

// Runs the service; returns the process's exit status (0, 1 on a failure, 2 on a usage or
// configuration error or a catalog behind the archive). `program` names it in messages.
int run_cradled(int argc, char** argv, const char* program,
                const std::map<std::string, CradleFactory>& extra_backends);

}  // namespace cradle
