// SPDX-License-Identifier: Apache-2.0
// A FileSystem that delegates to another and injects faults: operation N (counting every call,
// 1-based) fails with the given errno, once or from then on; or a byte is flipped in the data
// of write N. Used by the fault tests to break I1 and I3.
#pragma once

#include "common/fs.hpp"

#include <atomic>
#include <functional>
#include <optional>
#include <string>

namespace cradle::test {

class FaultyFileSystem final : public FileSystem {
  public:
    enum class Mode { once, forever };
    explicit FaultyFileSystem(FileSystem& inner) : inner_(inner) {}

    // Fails operation number `op` (and, with Mode::forever, every later one) with `error`.
    void fail_at(int op, int error, Mode mode = Mode::once);
    // Flips one byte (the middle one) of the data passed to the `nth` write_all call, counting
    // only calls of at least min_bytes (a recording's chunk, not an audit journal line).
    void flip_byte_at_write(int nth, std::size_t min_bytes = 0);
    // Fails, with `error`, the read that would take the bytes read (by every read together)
    // past `bytes`, and every read after it.
    void fail_reads_past(std::uint64_t bytes, int error);
    // Calls hook once, in the first read that goes past `bytes` read in all (before it reads).
    void on_read_past(std::uint64_t bytes, std::function<void()> hook);
    // Calls hook (e.g. raise(SIGKILL)) at the start of operation `op`.
    void on_op(int op, std::function<void()> hook);
    int operations() const { return ops_.load(); }

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

  private:
    // Counts the operation; throws std::system_error if it is to fail.
    void step(const char* what, const std::filesystem::path& path);

    FileSystem& inner_;
    std::atomic<int> ops_{0};
    std::atomic<int> writes_{0};
    std::optional<int> fail_op_;
    int fail_errno_ = 0;
    Mode fail_mode_ = Mode::once;
    std::optional<int> flip_write_;
    std::size_t flip_min_bytes_ = 0;
    std::optional<std::uint64_t> fail_reads_past_;
    int fail_reads_errno_ = 0;
    std::atomic<std::uint64_t> bytes_read_{0};
    std::optional<std::uint64_t> read_hook_past_;
    std::function<void()> read_hook_;
    std::optional<int> hook_op_;
    std::function<void()> hook_;
};

}  // namespace cradle::test
