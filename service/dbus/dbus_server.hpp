// SPDX-License-Identifier: Apache-2.0
// The D-Bus API (dbus/org.cradled.Cradle1.xml) served with sd-bus on the service's event loop.
#pragma once

#include "engine/service_api.hpp"

#include <memory>
#include <stdexcept>
#include <string>

namespace cradle {

class BusError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct BusOptions {
    // A D-Bus address ("unix:path=..."); empty: the system bus (DBUS_SYSTEM_BUS_ADDRESS, if set,
    // names it, as for every sd-bus client).
    std::string address;
};

// Connects, serves the objects of the API, and takes the name org.cradled.Cradle1. Throws
// BusError, saying why, when the bus cannot be reached or the name is already taken. The
// returned front-end releases the name and closes the connection when destroyed.
std::unique_ptr<Frontend> start_dbus_server(ServiceApi& service, const BusOptions& options);

}  // namespace cradle
