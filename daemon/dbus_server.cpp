// Placeholder until the sd-bus server lands: reports that the API is not built.
#include "daemon/dbus_server.hpp"

namespace cradle {

std::unique_ptr<Frontend> start_dbus_server(ServiceApi&, const BusOptions&) {
    throw BusError("the D-Bus server is not built yet");
}

}  // namespace cradle
