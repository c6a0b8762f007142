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

mode_t default_mode() {
    const mode_t mask = ::umask(0);
    ::umask(mask);
    return 0666 & ~mask;
}

}  // namespace

OutputFile::OutputFile(const std::string& path) : path_(path), target_(final_name(path)) {
    struct stat existing {};
    const bool exists = ::stat(target_.c_str(), &existing) == 0;
    if (!exists && errno != ENOENT) fail("cannot write");
    if (exists && !S_ISREG(existing.st_mode)) {
        // A device or a FIFO: its bytes go where it sends them; truncating means nothing to it.
        fd_ = ::open(target_.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY);
        if (fd_ < 0) fail("cannot write");
        return;
    }
    const std::filesystem::path target(target_);
    std::filesystem::path dir = target.parent_path();
    if (dir.empty()) dir = ".";
    temporary_ = (dir / ("." + target.filename().string() + ".XXXXXX")).string();
    fd_ = ::mkostemp(temporary_.data(), O_CLOEXEC);
    if (fd_ < 0) {
        temporary_.clear();
        fail("cannot write");
    }
    // mkstemp makes the file 0600. A new report is for reading like any file its reader writes;
    // one that replaces a file keeps that file's owner (where this user may give it) and mode.
    if (exists) {
        if (::fchown(fd_, existing.st_uid, existing.st_gid) != 0) {
            // Not permitted: the reader becomes the owner, as with any file they write.
        }
        ::fchmod(fd_, existing.st_mode & 07777);
    } else {
        ::fchmod(fd_, default_mode());
    }
}

OutputFile::~OutputFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_ && !temporary_.empty()) ::unlink(temporary_.c_str());
}

void OutputFile::commit(const std::string& bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t wrote = ::write(fd_, bytes.data() + done, bytes.size() - done);
        if (wrote < 0 && errno == EINTR) continue;
        if (wrote < 0) fail("cannot write");
        done += static_cast<std::size_t>(wrote);
    }
    // A replaced file must not turn up empty after a power cut: the bytes reach the disk before
    // the name points at them.
    if (!temporary_.empty() && ::fsync(fd_) != 0) fail("cannot write");
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) fail("cannot write");
    if (!temporary_.empty()) {
        if (::rename(temporary_.c_str(), target_.c_str()) != 0) fail("cannot write");
        const std::filesystem::path dir = std::filesystem::path(target_).parent_path();
        const int dir_fd =
            ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dir_fd >= 0) {
            ::fsync(dir_fd);
            ::close(dir_fd);
        }
    }
    committed_ = true;
}

void OutputFile::fail(const std::string& what) const {
    throw OutputError(what + " " + path_ + ": " + std::strerror(errno));
}

}  // namespace cradle::ctl
