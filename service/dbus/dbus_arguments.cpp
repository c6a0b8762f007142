// SPDX-License-Identifier: Apache-2.0
#include "service/dbus/dbus_arguments.hpp"

#include "common/utf8.hpp"
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
    if (std::string problem = text_value_problem(value); !problem.empty()) {
        return prefix + problem;
    }
    return {};
}

}  // namespace cradle::dbus
