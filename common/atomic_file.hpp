// SPDX-License-Identifier: Apache-2.0
// A file replaced whole or not at all. The bytes go to a temporary file in the same directory
// (so that the rename stays on one file system), reach the disk, and only then take the file's
// name, and the directory is synced so that the new name survives a power cut too: a reader, or
// a service restarted after a crash, sees either the old content or the new one, never half.
//
// Errors throw std::system_error: errno as the code, what failed and the path in the message.
// The archive store does not use this: its writes go through the FileSystem seam (fs.hpp), so
// that the fault tests can fail any one of them.
#pragma once

#include "common/fs.hpp"

#include <filesystem>
#include <string>
#include <string_view>

namespace cradle {

class AtomicFile {
  public:
    // Creates the temporary file beside `target` with `mode` less the process's umask, as
    // open() would make `target` itself. Nothing is written under `target` before commit().
    explicit AtomicFile(std::filesystem::path target, unsigned mode = 0666);
    AtomicFile(const AtomicFile&) = delete;
    AtomicFile& operator=(const AtomicFile&) = delete;
    // Removes the temporary file unless commit() succeeded.
    ~AtomicFile();

    // The temporary file's descriptor, for what a caller adds before commit() (an owner, a
    // mode the umask must not change).
    int fd() const noexcept { return fd_.get(); }

    void write(std::string_view bytes);

    // Flushes the bytes to disk, closes, renames the temporary file over the target and syncs
    // the directory. Once only.
    void commit();

  private:
    std::filesystem::path target_;
    std::filesystem::path temporary_;
    Fd fd_;
    bool committed_ = false;
};

// The whole of an AtomicFile: `content` becomes `target`, or `target` stays as it was.
void write_file_atomically(const std::filesystem::path& target, std::string_view content,
                           unsigned mode = 0666);

// The last steps of a replacement, for a temporary file written by other means (a database):
// syncs `temporary`, renames it to `target` and syncs the directory.
void install_file(const std::filesystem::path& temporary, const std::filesystem::path& target);

}  // namespace cradle
