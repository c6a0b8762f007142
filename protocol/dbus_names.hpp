// SPDX-License-Identifier: Apache-2.0
// The names of the D-Bus API (dbus/org.cradled.Cradle1.xml), one place for the server and for
// cradlectl, its client.
#pragma once

#include "protocol/cradle1_contract.hpp"

namespace cradle::dbus {

inline constexpr const char* kBusName = "org.cradled.Cradle1";
inline constexpr const char* kRootPath = "/org/cradled/Cradle1";  // the Manager's object
// A bay's object is this, "/", its number; a device's is its serial encoded under this
// (sd_bus_path_encode).
inline constexpr const char* kBayPathPrefix = "/org/cradled/Cradle1/bay";
inline constexpr const char* kDevicePathPrefix = "/org/cradled/Cradle1/device";
// The interfaces, as the XML names them.
inline constexpr const char* kManagerInterface = protocol::cradle1::Manager::interface;
inline constexpr const char* kBayInterface = protocol::cradle1::Bay::interface;
inline constexpr const char* kDeviceInterface = protocol::cradle1::Device::interface;
inline constexpr const char* kErrorNoSuchDevice = "org.cradled.Cradle1.Error.NoSuchDevice";
inline constexpr const char* kErrorCatalog = "org.cradled.Cradle1.Error.Catalog";

}  // namespace cradle::dbus
