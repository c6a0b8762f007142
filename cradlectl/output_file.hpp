// SPDX-License-Identifier: Apache-2.0
// The -o FILE of a report or an export. A regular file (or a name not there yet) is written
// whole or not at all: the bytes go to a temporary file beside it, flushed to disk, which then
// replaces it with the earlier file's mode and owner, so a failure never leaves half a file and
// a file IT set up keeps its permissions. Anything else (a device such as /dev/null, a FIFO) is
// written in place, as a shell's redirection would, never replaced. A symbolic link is followed:
// what it points at is written, the link stays.
#pragma once

#include "common/atomic_file.hpp"
#include "common/fs.hpp"

#include <optional>
#include <stdexcept>
#include <string>

namespace cradle::ctl {

// The output cannot be written; what() names the file and the reason. A mistake of the reader
// more than of the cradle: cradlectl exits with status 2 on it.
class OutputError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

class OutputFile {
  public:
    // Opens the place the bytes will go (throws OutputError), so that an unwritable FILE is
    // said before any work is done.
    explicit OutputFile(const std::string& path);
    OutputFile(const OutputFile&) = delete;
    OutputFile& operator=(const OutputFile&) = delete;

    // Writes `bytes` and, for a regular file, puts them in place; throws OutputError. Once only.
    void commit(const std::string& bytes);

  private:
    [[noreturn]] void fail(const std::string& what) const;
    [[noreturn]] void fail(const std::system_error& error) const;

    std::string path_;                    // as the reader named it, for messages
    std::string target_;                  // the file written: symbolic links followed
    std::optional<AtomicFile> replacer_;  // a regular file (or a new one): replaced whole
    Fd in_place_;                         // anything else: written where it is
};

}  // namespace cradle::ctl
