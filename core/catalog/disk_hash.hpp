// SPDX-License-Identifier: Apache-2.0
// A file of the archive hashed as the disk holds it, for the verifier and the rebuild from the
// archive: its cached pages are dropped first, so that a copy that only ever reached the page
// cache does not pass, and again after, so that going through a large archive does not evict
// the daemon's working set.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace cradle {

struct DiskHash {
    std::string sha256_hex;
    std::uint64_t size = 0;  // the bytes hashed
};

// Never through a symbolic link. nullopt when the file cannot be read, and `error` says why:
// "cannot open it: <reason>" or "cannot read it: <reason>".
std::optional<DiskHash> hash_from_disk(const std::filesystem::path& file, std::string& error);

}  // namespace cradle
