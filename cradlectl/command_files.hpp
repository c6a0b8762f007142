// SPDX-License-Identifier: Apache-2.0
// The files the bulk commands read and write: an import file (bounded in size, so that a file
// named by mistake is refused rather than read whole) and an export's -o FILE.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace cradle::ctl {

// The whole file; std::runtime_error saying why when it cannot be read or is too large.
std::string read_import_file(const std::string& name);

// Writes `text` to -o FILE as OutputFile does (whole or not at all, a device or FIFO in place),
// or to `out` without it (or with "" or "-"); OutputError when the file cannot be written.
void write_output(const std::optional<std::string>& output, std::ostream& out,
                  const std::string& text);

// Tells on stderr what is wrong with an import file, each problem on its line, and that nothing
// was applied. Returns the exit status for it (usage).
int refuse_import(const std::string& name, const std::vector<std::string>& problems);

}  // namespace cradle::ctl
