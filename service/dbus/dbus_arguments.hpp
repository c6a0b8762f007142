// SPDX-License-Identifier: Apache-2.0
// Checks of the text arguments of D-Bus calls before they reach the catalog or the log. A
// problem is answered with org.freedesktop.DBus.Error.InvalidArgs naming the argument.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace cradle::dbus {

// Register entries and serials are stored as the catalog's sanitised text, at most this long.
constexpr std::size_t kMaxArgumentBytes = 128;
// A free-text reason (RetireDevice) may be longer: a sentence or two in any script.
constexpr std::size_t kMaxReasonBytes = 1024;

enum class Emptiness { refused, allowed };

// Empty when `value` is acceptable; otherwise the problem, starting with the argument's name.
// Refused: more than kMaxArgumentBytes bytes, control or bidirectional formatting characters
// (anything the catalog's sanitising would change), and, unless allowed, the empty string.
std::string argument_problem(std::string_view name, std::string_view value,
                             Emptiness empty = Emptiness::refused,
                             std::size_t max_bytes = kMaxArgumentBytes);

}  // namespace cradle::dbus
