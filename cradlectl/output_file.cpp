// SPDX-License-Identifier: Apache-2.0
#include "cradlectl/output_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace cradle::ctl {
namespace {

// As many links as the kernel follows in one path (MAXSYMLINKS) before it gives up with ELOOP.
constexpr int kMaxLinks = 40;

// The name a chain of symbolic links ends at (the name itself when it is no link), whether that
// exists or not: a dangling link is written through, creating what it names.
std::string final_name(const std::string& path) {
    std::filesystem::path name(path);
    for (int followed = 0;; ++followed) {
        struct stat status {};
        if (::lstat(name.c_str(), &status) != 0 || !S_ISLNK(status.st_mode)) return name.string();
        if (followed == kMaxLinks) {
            throw OutputError("cannot write " + path + ": " + std::strerror(ELOOP));
        }
        std::error_code error;
        const std::filesystem::path points_at = std::filesystem::read_symlink(name, error);
        if (error) throw OutputError("cannot write " + path + ": " + error.message());
        name = points_at.is_absolute() ? points_at : name.parent_path() / points_at;
    }
}

}  // namespace

OutputFile::OutputFile(const std::string& path) : path_(path), target_(final_name(path)) {
    struct stat existing {};
    const bool exists = ::stat(target_.c_str(), &existing) == 0;
    if (!exists && errno != ENOENT) fail("cannot write");
    if (exists && !S_ISREG(existing.st_mode)) {
        // A device or a FIFO: its bytes go where it sends them; truncating means nothing to it.
        in_place_ = Fd(::open(target_.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY));
        if (!in_place_) fail("cannot write");
        return;
    }
    try {
        // A new report is for reading like any file its reader writes (0666 less the umask).
        replacer_.emplace(target_);
    } catch (const std::system_error& error) {
        fail(error);
    }
    // One that replaces a file keeps that file's owner (where this user may give it) and mode.
    if (exists) {
        if (::fchown(replacer_->fd(), existing.st_uid, existing.st_gid) != 0) {
            // Not permitted: the reader becomes the owner, as with any file they write.
        }
        ::fchmod(replacer_->fd(), existing.st_mode & 07777);
    }
}

void OutputFile::commit(const std::string& bytes) {
    if (replacer_) {
        // A replaced file must not turn up empty after a power cut: the bytes reach the disk
        // before the name points at them.
        try {
            replacer_->write(bytes);
            replacer_->commit();
        } catch (const std::system_error& error) {
            fail(error);
        }
        return;
    }
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t wrote = ::write(in_place_.get(), bytes.data() + done, bytes.size() - done);
        if (wrote < 0 && errno == EINTR) continue;
        if (wrote < 0) fail("cannot write");
        done += static_cast<std::size_t>(wrote);
    }
    if (!in_place_.close_checked()) fail("cannot write");
}

void OutputFile::fail(const std::string& what) const {
    throw OutputError(what + " " + path_ + ": " + std::strerror(errno));
}

void OutputFile::fail(const std::system_error& error) const {
    throw OutputError("cannot write " + path_ + ": " + error.code().message());
}

}  // namespace cradle::ctl
