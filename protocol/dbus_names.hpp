// The names of the D-Bus API (dbus/org.cradled.Cradle1.xml), one place for the server and for
// cradlectl, its client.
#pragma once

namespace cradle::dbus {

inline constexpr const char* kBusName = "org.cradled.Cradle1";
inline constexpr const char* kRootPath = "/org/cradled/Cradle1";  // the Manager's object
// A bay's object is this, "/", its number; a device's is its serial encoded under this
// (sd_bus_path_encode).
inline constexpr const char* kBayPathPrefix = "/org/cradled/Cradle1/bay";
inline constexpr const char* kDevicePathPrefix = "/org/cradled/Cradle1/device";
inline constexpr const char* kManagerInterface = "org.cradled.Cradle1.Manager";
inline constexpr const char* kBayInterface = "org.cradled.Cradle1.Bay";
inline constexpr const char* kDeviceInterface = "org.cradled.Cradle1.Device";
inline constexpr const char* kErrorNoSuchDevice = "org.cradled.Cradle1.Error.NoSuchDevice";
inline constexpr const char* kErrorCatalog = "org.cradled.Cradle1.Error.Catalog";

}  // namespace cradle::dbus
