// SPDX-License-Identifier: Apache-2.0
#include "core/catalog/disk_hash.hpp"

#include "common/fs.hpp"
#include "common/sha256.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <span>
#include <vector>

namespace cradle {

namespace {

constexpr std::size_t kReadBlockBytes = 4 << 20;

}  // namespace

std::optional<DiskHash> hash_from_disk(const std::filesystem::path& file, std::string& error) {
    const Fd in(::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!in) {
        error = std::string("cannot open it: ") + std::strerror(errno);
        return std::nullopt;
    }
    ::posix_fadvise(in.get(), 0, 0, POSIX_FADV_DONTNEED);
    std::vector<std::byte> block(kReadBlockBytes);
    Sha256 sha;
    DiskHash hashed;
    for (;;) {
        const ssize_t got = ::read(in.get(), block.data(), block.size());
        if (got < 0) {
            if (errno == EINTR) continue;
            error = std::string("cannot read it: ") + std::strerror(errno);
            return std::nullopt;
        }
        if (got == 0) break;
        sha.update(std::span(block.data(), static_cast<std::size_t>(got)));
        hashed.size += static_cast<std::uint64_t>(got);
    }
    ::posix_fadvise(in.get(), 0, 0, POSIX_FADV_DONTNEED);
    hashed.sha256_hex = sha.hex_digest();
    return hashed;
}

}  // namespace cradle
