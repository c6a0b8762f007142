// SPDX-License-Identifier: Apache-2.0
#include "common/read_file.hpp"

#include "common/fs.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

namespace cradle {
namespace {

// "16 MiB", "32 KiB", "1000 bytes": the limit as a person reads it.
std::string size_text(std::size_t bytes) {
    if (bytes != 0 && bytes % (std::size_t{1} << 20) == 0)
        return std::to_string(bytes >> 20) + " MiB";
    if (bytes != 0 && bytes % (std::size_t{1} << 10) == 0)
        return std::to_string(bytes >> 10) + " KiB";
    return std::to_string(bytes) + " bytes";
}

}  // namespace

ReadFileError::ReadFileError(Kind kind, int error, const std::filesystem::path& file,
                             std::string reason)
    : std::runtime_error("cannot read " + file.string() + ": " + reason),
      kind_(kind),
      error_(error),
      reason_(std::move(reason)) {}

std::string read_whole_file(const std::filesystem::path& file, std::size_t max_bytes,
                            int open_flags) {
    using Kind = ReadFileError::Kind;
    auto too_large = [&] {
        return ReadFileError(Kind::too_large, 0, file, "larger than " + size_text(max_bytes));
    };
    // O_NONBLOCK: a FIFO put where the file should be must not hang the reader; it is refused
    // below as not a regular file. For a regular file the flag changes nothing.
    const Fd in(::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | open_flags));
    if (!in) throw ReadFileError(Kind::cannot_open, errno, file, std::strerror(errno));
    struct stat st {};
    if (::fstat(in.get(), &st) != 0) {
        throw ReadFileError(Kind::cannot_read, errno, file, std::strerror(errno));
    }
    if (!S_ISREG(st.st_mode)) throw ReadFileError(Kind::not_regular, 0, file, "not a regular file");
    if (static_cast<std::uintmax_t>(st.st_size) > max_bytes) throw too_large();

    // The size is checked again while reading: the file may grow after the fstat.
    std::string text;
    char buffer[64 * 1024];
    for (;;) {
        const ssize_t n = ::read(in.get(), buffer, sizeof buffer);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw ReadFileError(Kind::cannot_read, errno, file, std::strerror(errno));
        }
        if (n == 0) break;
        text.append(buffer, static_cast<std::size_t>(n));
        if (text.size() > max_bytes) throw too_large();
    }
    return text;
}

}  // namespace cradle
