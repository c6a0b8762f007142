// SPDX-License-Identifier: Apache-2.0
#include "common/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <random>
#include <system_error>

namespace cradle {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void fail(int error, const std::string& what, const fs::path& path) {
    throw std::system_error(error, std::generic_category(), what + " " + path.string());
}

fs::path directory_of(const fs::path& file) {
    const fs::path dir = file.parent_path();
    return dir.empty() ? fs::path(".") : dir;
}

// A name no other writer uses: hidden, beside the target, six random letters or digits (as
// mkstemp makes them; mkstemp itself cannot be used, it creates the file 0600 whatever the
// umask says).
fs::path temporary_name(const fs::path& target) {
    static constexpr std::string_view kLetters =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    thread_local std::mt19937 random(std::random_device{}());
    std::string name = "." + target.filename().string() + ".";
    for (int i = 0; i < 6; ++i) {
        name +=
            kLetters[std::uniform_int_distribution<std::size_t>(0, kLetters.size() - 1)(random)];
    }
    return directory_of(target) / name;
}

// Makes a rename or a create in `dir` durable. A directory the writer may write in but not read
// (a drop box, mode 0333) cannot be opened to sync it; the rename is done and stays done, as a
// shell's mv would leave it.
void sync_directory(const fs::path& dir) {
    const Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) {
        if (errno == EACCES) return;
        fail(errno, "cannot open the directory", dir);
    }
    if (::fsync(fd.get()) != 0) fail(errno, "cannot flush to disk the directory", dir);
}

}  // namespace

AtomicFile::AtomicFile(fs::path target, unsigned mode) : target_(std::move(target)) {
    // A clash with another writer's temporary file is all but impossible; a few tries settle it.
    for (int attempt = 0;; ++attempt) {
        temporary_ = temporary_name(target_);
        fd_ = Fd(::open(temporary_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY,
                        static_cast<mode_t>(mode)));
        if (fd_) return;
        if (errno != EEXIST || attempt == 99) {
            temporary_.clear();
            fail(errno, "cannot create a temporary file beside", target_);
        }
    }
}

AtomicFile::~AtomicFile() {
    // Proof: temporary_ is the name this writer created with O_EXCL, so it is its own file and
    // never the target or another writer's; once committed it has been renamed onto the target
    // and nothing is removed.
    if (!committed_ && !temporary_.empty()) ::unlink(temporary_.c_str());
}

void AtomicFile::write(std::string_view bytes) {
    while (!bytes.empty()) {
        const ssize_t wrote = ::write(fd_.get(), bytes.data(), bytes.size());
        if (wrote < 0 && errno == EINTR) continue;
        if (wrote < 0) fail(errno, "cannot write", target_);
        bytes.remove_prefix(static_cast<std::size_t>(wrote));
    }
}

void AtomicFile::commit() {
    // Never retried: after a failed fsync the kernel may have dropped the dirty pages.
    if (::fsync(fd_.get()) != 0) fail(errno, "cannot flush to disk", target_);
    if (!fd_.close_checked()) fail(errno, "cannot write", target_);
    if (::rename(temporary_.c_str(), target_.c_str()) != 0) fail(errno, "cannot replace", target_);
    committed_ = true;
    sync_directory(directory_of(target_));
}

void write_file_atomically(const fs::path& target, std::string_view content, unsigned mode) {
    AtomicFile file(target, mode);
    file.write(content);
    file.commit();
}

void install_file(const fs::path& temporary, const fs::path& target) {
    {
        const Fd fd(::open(temporary.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
        if (!fd) fail(errno, "cannot open", temporary);
        if (::fsync(fd.get()) != 0) fail(errno, "cannot flush to disk", temporary);
    }
    if (::rename(temporary.c_str(), target.c_str()) != 0) {
        fail(errno, "cannot rename " + temporary.string() + " to", target);
    }
    sync_directory(directory_of(target));
}

}  // namespace cradle
