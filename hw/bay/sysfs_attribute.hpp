// SPDX-License-Identifier: Apache-2.0
// Reading and writing one sysfs attribute file. A sysfs attribute takes its whole value in one
// write; it is opened with O_TRUNC (emulated sysfs trees are plain files that must not keep a
// longer old value) and the value ends with a newline, as the kernel's parsers expect.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace cradle::hw::bay {

// Writes `value` and a newline. Returns an empty string, or why it failed ("open: No such
// file or directory").
std::string write_attribute(const std::filesystem::path& file, const std::string& value);

// The value without its trailing newline; nothing when it cannot be read. Reads at most 4 KiB
// (one page, the most a sysfs attribute holds).
std::optional<std::string> read_attribute(const std::filesystem::path& file);

}  // namespace cradle::hw::bay
