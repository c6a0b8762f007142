// SPDX-License-Identifier: Apache-2.0
// The one rule for a path inside the archive, checked wherever one is stored or used.
#pragma once

#include <string_view>

namespace cradle {

// Archive paths are relative to <state>/archive (ArchiveStore::relative_path generates them).
// One that is empty, absolute, holds a NUL byte, or has an empty, "." or ".." component could
// lead outside the archive or name one file in two ways, and is refused.
bool is_archive_relative_path(std::string_view path);

}  // namespace cradle
