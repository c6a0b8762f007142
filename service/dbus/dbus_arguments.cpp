// SPDX-License-Identifier: Apache-2.0
#include "service/dbus/dbus_arguments.hpp"

#include "core/catalog/catalog.hpp"

namespace cradle::dbus {

std::string argument_problem(std::string_view name, std::string_view value, Emptiness empty,
                             std::size_t max_bytes) {
    std::string prefix = std::string(name) + ": ";
    if (value.empty()) {
        return empty == Emptiness::allowed ? std::string() : prefix + "must not be empty";
    }
    if (value.size() > max_bytes) {
        return prefix + "longer than " + std::to_string(max_bytes) + " bytes";
    }
    // The bus has already checked that the string is valid UTF-8; what sanitising would still
    // change are control and formatting characters.
    if (sanitize_text(value, max_bytes) != value) {
        return prefix + "contains control or formatting characters";
    }
    return {};
}

}  // namespace cradle::dbus
