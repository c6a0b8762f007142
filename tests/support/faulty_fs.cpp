// SPDX-License-Identifier: Apache-2.0
#include "tests/support/faulty_fs.hpp"

#include <cstddef>
#include <string>
#include <system_error>
#include <vector>

namespace cradle::test {

namespace {

std::filesystem::path fd_subject(const Fd& fd) {
    return "fd " + std::to_string(fd.get());
}

}  // namespace

void FaultyFileSystem::fail_at(int op, int error, Mode mode) {
    fail_op_ = op;
    fail_errno_ = error;
    fail_mode_ = mode;
}

void FaultyFileSystem::flip_byte_at_write(int nth, std::size_t min_bytes) {
    flip_write_ = nth;
    flip_min_bytes_ = min_bytes;
}

void FaultyFileSystem::on_op(int op, std::function<void()> hook) {
    hook_op_ = op;
    hook_ = std::move(hook);
}

void FaultyFileSystem::step(const char* what, const std::filesystem::path& path) {
    int op = ++ops_;
    if (hook_op_ && op == *hook_op_ && hook_) {
        hook_();
    }
    if (fail_op_ && (op == *fail_op_ || (fail_mode_ == Mode::forever && op > *fail_op_))) {
        throw std::system_error(fail_errno_, std::generic_category(),
                                std::string("injected fault: ") + what + " " + path.string());
    }
}

Fd FaultyFileSystem::open(const std::filesystem::path& path, int flags, unsigned mode) {
    step("open", path);
    return inner_.open(path, flags, mode);
}

void FaultyFileSystem::write_all(const Fd& fd, std::span<const std::byte> data) {
    step("write", fd_subject(fd));
    const bool counted = data.size() >= flip_min_bytes_;
    const int nth = counted ? ++writes_ : 0;
    if (flip_write_ && counted && nth == *flip_write_ && !data.empty()) {
        std::vector<std::byte> altered(data.begin(), data.end());
        altered[altered.size() / 2] = ~altered[altered.size() / 2];
        inner_.write_all(fd, altered);
        return;
    }
    inner_.write_all(fd, data);
}

std::size_t FaultyFileSystem::read(const Fd& fd, std::span<std::byte> out) {
    step("read", fd_subject(fd));
    if (read_hook_past_ && bytes_read_.load() + out.size() > *read_hook_past_) {
        read_hook_past_.reset();
        read_hook_();
    }
    if (fail_reads_past_ && bytes_read_.load() + out.size() > *fail_reads_past_) {
        // The part of the buffer that stays within the limit is read first, so that the fault
        // strikes at that byte whatever the sizes of the reads.
        const auto allowed = static_cast<std::size_t>(*fail_reads_past_ - bytes_read_.load());
        if (allowed == 0) {
            throw std::system_error(fail_reads_errno_, std::generic_category(),
                                    "injected fault: read past " +
                                        std::to_string(*fail_reads_past_) + " bytes " +
                                        fd_subject(fd).string());
        }
        const std::size_t n = inner_.read(fd, out.first(allowed));
        bytes_read_ += n;
        return n;
    }
    const std::size_t n = inner_.read(fd, out);
    bytes_read_ += n;
    return n;
}

void FaultyFileSystem::on_read_past(std::uint64_t bytes, std::function<void()> hook) {
    read_hook_past_ = bytes;
    read_hook_ = std::move(hook);
}

void FaultyFileSystem::fail_reads_past(std::uint64_t bytes, int error) {
    fail_reads_past_ = bytes;
    fail_reads_errno_ = error;
}

void FaultyFileSystem::fsync(const Fd& fd) {
    step("fsync", fd_subject(fd));
    inner_.fsync(fd);
}

void FaultyFileSystem::drop_cache(const Fd& fd) {
    step("drop_cache", fd_subject(fd));
    inner_.drop_cache(fd);
}

void FaultyFileSystem::make_read_only(const Fd& fd) {
    step("fchmod", fd_subject(fd));
    inner_.make_read_only(fd);
}

void FaultyFileSystem::rename(const std::filesystem::path& from, const std::filesystem::path& to) {
    step("rename", from);
    inner_.rename(from, to);
}

void FaultyFileSystem::unlink(const std::filesystem::path& path) {
    step("unlink", path);
    inner_.unlink(path);
}

void FaultyFileSystem::make_directories(const std::filesystem::path& path) {
    step("mkdir", path);
    inner_.make_directories(path);
}

void FaultyFileSystem::fsync_directory(const std::filesystem::path& path) {
    step("fsync_directory", path);
    inner_.fsync_directory(path);
}

std::uint64_t FaultyFileSystem::available_bytes(const std::filesystem::path& path) {
    step("statvfs", path);
    return inner_.available_bytes(path);
}

std::vector<std::string> FaultyFileSystem::list(const std::filesystem::path& dir) {
    step("list", dir);
    return inner_.list(dir);
}

}  // namespace cradle::test
