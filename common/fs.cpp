// SPDX-License-Identifier: Apache-2.0
#include "common/fs.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <memory>
#include <string>
#include <system_error>

namespace cradle {

namespace {

[[noreturn]] void throw_errno(int error, const char* operation, const std::string& subject) {
    throw std::system_error(error, std::generic_category(), std::string(operation) + " " + subject);
}

// Operations on a descriptor have no path at hand; the kernel still knows it, and an error
// message that names the file is worth one readlink on the error path.
std::string describe(const Fd& fd) {
    std::string link = "/proc/self/fd/" + std::to_string(fd.get());
    char target[4096];
    ssize_t length = ::readlink(link.c_str(), target, sizeof target);
    if (length <= 0) {
        return "fd " + std::to_string(fd.get());
    }
    return std::string(target, static_cast<std::size_t>(length));
}

struct CloseDir {
    void operator()(DIR* dir) const noexcept { ::closedir(dir); }
};

}  // namespace

Fd& Fd::operator=(Fd&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) {
            ::close(fd_);
        }
        fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
}

// close() is not retried on EINTR: on Linux the descriptor is released either way, and a
// retry could close a descriptor another thread has just been given.
Fd::~Fd() {
    if (fd_ >= 0) {
        ::close(fd_);
    }
}

bool Fd::close_checked() noexcept {
    const int fd = std::exchange(fd_, -1);
    return fd < 0 || ::close(fd) == 0;
}

Fd PosixFileSystem::open(const std::filesystem::path& path, int flags, unsigned mode) {
    for (;;) {
        int fd = ::open(path.c_str(), flags | O_CLOEXEC, static_cast<mode_t>(mode));
        if (fd >= 0) {
            return Fd(fd);
        }
        if (errno != EINTR) {
            throw_errno(errno, "open", path.string());
        }
    }
}

void PosixFileSystem::write_all(const Fd& fd, std::span<const std::byte> data) {
    while (!data.empty()) {
        ssize_t written = ::write(fd.get(), data.data(), data.size());
        if (written < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw_errno(errno, "write", describe(fd));
        }
        data = data.subspan(static_cast<std::size_t>(written));
    }
}

std::size_t PosixFileSystem::read(const Fd& fd, std::span<std::byte> out) {
    for (;;) {
        ssize_t got = ::read(fd.get(), out.data(), out.size());
        if (got >= 0) {
            return static_cast<std::size_t>(got);
        }
        if (errno != EINTR) {
            throw_errno(errno, "read", describe(fd));
        }
    }
}

// Never retried: after a failed fsync the kernel may have dropped the dirty pages, so a second
// fsync can succeed without the data being on the disk.
void PosixFileSystem::fsync(const Fd& fd) {
    if (::fsync(fd.get()) != 0) {
        throw_errno(errno, "fsync", describe(fd));
    }
}

// Clean pages (the caller has fsynced) are dropped at once; the next read goes to the disk.
void PosixFileSystem::drop_cache(const Fd& fd) {
    int error = ::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_DONTNEED);
    if (error != 0) {
        throw_errno(error, "posix_fadvise(DONTNEED)", describe(fd));
    }
}

void PosixFileSystem::make_read_only(const Fd& fd) {
    if (::fchmod(fd.get(), 0440) != 0) {
        throw_errno(errno, "fchmod", describe(fd));
    }
}

void PosixFileSystem::rename(const std::filesystem::path& from, const std::filesystem::path& to) {
    if (::rename(from.c_str(), to.c_str()) != 0) {
        throw_errno(errno, "rename", from.string() + " -> " + to.string());
    }
}

void PosixFileSystem::unlink(const std::filesystem::path& path) {
    if (::unlink(path.c_str()) != 0) {
        throw_errno(errno, "unlink", path.string());
    }
}

void PosixFileSystem::make_directories(const std::filesystem::path& path) {
    std::filesystem::path prefix;
    for (const auto& part : path) {
        prefix /= part;
        if (part == prefix.root_path() || part.empty()) {
            continue;
        }
        if (::mkdir(prefix.c_str(), 0750) == 0) {
            continue;
        }
        int error = errno;
        struct stat st {};
        if (error == EEXIST && ::stat(prefix.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
            continue;
        }
        throw_errno(error == EEXIST ? ENOTDIR : error, "mkdir", prefix.string());
    }
}

void PosixFileSystem::fsync_directory(const std::filesystem::path& path) {
    Fd dir = open(path, O_RDONLY | O_DIRECTORY);
    if (::fsync(dir.get()) != 0) {
        throw_errno(errno, "fsync", path.string());
    }
}

std::uint64_t PosixFileSystem::available_bytes(const std::filesystem::path& path) {
    struct statvfs st {};
    if (::statvfs(path.c_str(), &st) != 0) {
        throw_errno(errno, "statvfs", path.string());
    }
    return static_cast<std::uint64_t>(st.f_bavail) * static_cast<std::uint64_t>(st.f_frsize);
}

std::vector<std::string> PosixFileSystem::list(const std::filesystem::path& dir) {
    std::unique_ptr<DIR, CloseDir> handle(::opendir(dir.c_str()));
    if (!handle) {
        if (errno == ENOENT) {
            return {};
        }
        throw_errno(errno, "opendir", dir.string());
    }
    std::vector<std::string> names;
    for (;;) {
        errno = 0;
        const dirent* entry = ::readdir(handle.get());
        if (entry == nullptr) {
            if (errno != 0) {
                throw_errno(errno, "readdir", dir.string());
            }
            break;
        }
        std::string name = entry->d_name;
        if (name != "." && name != "..") {
            names.push_back(std::move(name));
        }
    }
    return names;
}

}  // namespace cradle
