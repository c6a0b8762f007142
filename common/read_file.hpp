// SPDX-License-Identifier: Apache-2.0
// A whole file read into memory, for the small files the product reads at once (the
// configuration, an import, an archive's metadata record, the emulated cameras' files). Bounded:
// a file named by mistake, or grown beyond what it can be, is refused rather than read whole;
// and safe to point anywhere: only a regular file is read, and a FIFO put where the file should
// be is refused at once instead of blocking the reader until someone writes to it.
#pragma once

#include <cstddef>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace cradle {

class ReadFileError : public std::runtime_error {
  public:
    enum class Kind { cannot_open, not_regular, too_large, cannot_read };
    // what(): "cannot read FILE: REASON".
    ReadFileError(Kind kind, int error, const std::filesystem::path& file, std::string reason);
    Kind kind() const noexcept { return kind_; }
    // errno of a failed open or read; 0 for not_regular and too_large.
    int error() const noexcept { return error_; }
    // "No such file or directory", "not a regular file", "larger than 16 MiB".
    const std::string& reason() const noexcept { return reason_; }

  private:
    Kind kind_;
    int error_;
    std::string reason_;
};

// The bytes of `file`, at most `max_bytes` of them; throws ReadFileError. `open_flags` adds to
// O_RDONLY (O_NOFOLLOW, for a file that must not be reached through a symbolic link).
std::string read_whole_file(const std::filesystem::path& file, std::size_t max_bytes,
                            int open_flags = 0);

}  // namespace cradle
