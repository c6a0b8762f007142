// SPDX-License-Identifier: Apache-2.0
// The file-system seam. Every file-system operation of the archive and of staging goes through
// a FileSystem, so that fault tests can make operation N fail with EIO or ENOSPC (once, or
// from then on) and check that nothing is lost.
//
// All operations throw std::system_error (errno as the code, the operation and the path in the
// message) on failure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace cradle {

// Owns one file descriptor.
class Fd {
  public:
    Fd() = default;
    explicit Fd(int fd) : fd_(fd) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    Fd& operator=(Fd&& other) noexcept;
    ~Fd();
    int get() const noexcept { return fd_; }
    explicit operator bool() const noexcept { return fd_ >= 0; }
    int release() noexcept { return std::exchange(fd_, -1); }
    // Closes the descriptor now rather than at the end of the scope, and says whether the kernel
    // took it back cleanly (false, errno set, when close() failed): a write error the kernel
    // deferred to the close surfaces here, which a writer that must know its bytes are safe
    // checks. The descriptor is released either way.
    bool close_checked() noexcept;

  private:
    int fd_ = -1;
};

class FileSystem {
  public:
    virtual ~FileSystem() = default;

    virtual Fd open(const std::filesystem::path& path, int flags, unsigned mode = 0) = 0;
    // Writes all of data (retrying short writes).
    virtual void write_all(const Fd& fd, std::span<const std::byte> data) = 0;
    // Reads up to out.size() bytes; returns 0 at end of file.
    virtual std::size_t read(const Fd& fd, std::span<std::byte> out) = 0;
    virtual void fsync(const Fd& fd) = 0;
    // Asks the kernel to drop the file's cached pages so that a re-read comes from the disk.
    virtual void drop_cache(const Fd& fd) = 0;
    virtual void make_read_only(const Fd& fd) = 0;
    virtual void rename(const std::filesystem::path& from, const std::filesystem::path& to) = 0;
    virtual void unlink(const std::filesystem::path& path) = 0;
    // Creates the directory and its missing parents (mode 0750).
    virtual void make_directories(const std::filesystem::path& path) = 0;
    // Opens a directory and fsyncs it, so that a rename or create in it is durable.
    virtual void fsync_directory(const std::filesystem::path& path) = 0;
    virtual std::uint64_t available_bytes(const std::filesystem::path& path) = 0;
    // Names (not paths) of the entries of a directory; empty if it does not exist.
    virtual std::vector<std::string> list(const std::filesystem::path& dir) = 0;
};

// The real thing: POSIX calls.
class PosixFileSystem final : public FileSystem {
  public:
    Fd open(const std::filesystem::path& path, int flags, unsigned mode = 0) override;
    void write_all(const Fd& fd, std::span<const std::byte> data) override;
    std::size_t read(const Fd& fd, std::span<std::byte> out) override;
    void fsync(const Fd& fd) override;
    void drop_cache(const Fd& fd) override;
    void make_read_only(const Fd& fd) override;
    void rename(const std::filesystem::path& from, const std::filesystem::path& to) override;
    void unlink(const std::filesystem::path& path) override;
    void make_directories(const std::filesystem::path& path) override;
    void fsync_directory(const std::filesystem::path& path) override;
    std::uint64_t available_bytes(const std::filesystem::path& path) override;
    std::vector<std::string> list(const std::filesystem::path& dir) override;
};

}  // namespace cradle
