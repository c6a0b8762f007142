// SPDX-License-Identifier: Apache-2.0
#include "common/fs.hpp"
#include "tests/support/faulty_fs.hpp"
#include "tests/support/temp_dir.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <system_error>

namespace cradle {
namespace {

std::span<const std::byte> bytes_of(const std::string& text) {
    return std::as_bytes(std::span(text.data(), text.size()));
}

std::string read_whole(FileSystem& fs, const std::filesystem::path& path) {
    Fd fd = fs.open(path, O_RDONLY);
    std::string text;
    char buffer[7];  // small on purpose: the loop must handle many partial reads
    for (;;) {
        std::size_t got = fs.read(fd, std::as_writable_bytes(std::span(buffer)));
        if (got == 0) {
            return text;
        }
        text.append(buffer, got);
    }
}

int errno_of(const std::function<void()>& operation) {
    try {
        operation();
    } catch (const std::system_error& error) {
        return error.code().value();
    }
    return 0;
}

TEST(PosixFileSystem, WritesAndReadsBackTheSameBytes) {
    test::TempDir dir;
    PosixFileSystem fs;
    std::string text(100'000, '\0');
    for (std::size_t i = 0; i < text.size(); ++i) {
        text[i] = static_cast<char>(i * 31 + 7);
    }
    {
        Fd fd = fs.open(dir.path() / "f", O_CREAT | O_EXCL | O_WRONLY, 0640);
        fs.write_all(fd, bytes_of(text));
        fs.fsync(fd);
        fs.drop_cache(fd);
    }
    EXPECT_EQ(read_whole(fs, dir.path() / "f"), text);
}

TEST(PosixFileSystem, OpenAlwaysSetsCloseOnExec) {
    test::TempDir dir;
    PosixFileSystem fs;
    Fd fd = fs.open(dir.path() / "f", O_CREAT | O_WRONLY, 0640);
    EXPECT_TRUE(::fcntl(fd.get(), F_GETFD) & FD_CLOEXEC);
}

TEST(PosixFileSystem, ExclusiveCreateOfAnExistingFileFailsWithEexistNamingThePath) {
    test::TempDir dir;
    PosixFileSystem fs;
    fs.open(dir.path() / "f", O_CREAT | O_EXCL | O_WRONLY, 0640);
    try {
        fs.open(dir.path() / "f", O_CREAT | O_EXCL | O_WRONLY, 0640);
        FAIL() << "second exclusive create succeeded";
    } catch (const std::system_error& error) {
        EXPECT_EQ(error.code().value(), EEXIST);
        EXPECT_NE(std::string(error.what()).find("open " + (dir.path() / "f").string()),
                  std::string::npos)
            << error.what();
    }
}

TEST(PosixFileSystem, FdClosesItsDescriptorWhenDestroyedAndMoves) {
    test::TempDir dir;
    PosixFileSystem fs;
    int raw = -1;
    {
        Fd first = fs.open(dir.path() / "f", O_CREAT | O_WRONLY, 0640);
        raw = first.get();
        Fd second = std::move(first);
        EXPECT_FALSE(first);
        EXPECT_EQ(second.get(), raw);
        EXPECT_EQ(::fcntl(raw, F_GETFD) == -1, false);
    }
    EXPECT_EQ(::fcntl(raw, F_GETFD), -1);
    EXPECT_EQ(errno, EBADF);
}

TEST(PosixFileSystem, MakeReadOnlyLeavesOwnerAndGroupReadOnly) {
    test::TempDir dir;
    PosixFileSystem fs;
    Fd fd = fs.open(dir.path() / "f", O_CREAT | O_WRONLY, 0640);
    fs.make_read_only(fd);
    struct stat st {};
    ASSERT_EQ(::stat((dir.path() / "f").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0440u);
}

TEST(PosixFileSystem, MakeDirectoriesCreatesParentsAndIsIdempotent) {
    test::TempDir dir;
    PosixFileSystem fs;
    auto deep = dir.path() / "a" / "b" / "c";
    fs.make_directories(deep);
    fs.make_directories(deep);
    struct stat st {};
    ASSERT_EQ(::stat(deep.c_str(), &st), 0);
    EXPECT_TRUE(S_ISDIR(st.st_mode));
    fs.fsync_directory(deep);
}

TEST(PosixFileSystem, MakeDirectoriesThroughAFileFailsWithEnotdir) {
    test::TempDir dir;
    PosixFileSystem fs;
    fs.open(dir.path() / "file", O_CREAT | O_WRONLY, 0640);
    EXPECT_EQ(errno_of([&] { fs.make_directories(dir.path() / "file" / "sub"); }), ENOTDIR);
    EXPECT_EQ(errno_of([&] { fs.make_directories(dir.path() / "file"); }), ENOTDIR);
}

TEST(PosixFileSystem, RenameUnlinkAndListSeeTheSameEntries) {
    test::TempDir dir;
    PosixFileSystem fs;
    EXPECT_TRUE(fs.list(dir.path() / "missing").empty());
    fs.open(dir.path() / "one", O_CREAT | O_WRONLY, 0640);
    fs.open(dir.path() / "two", O_CREAT | O_WRONLY, 0640);
    fs.rename(dir.path() / "two", dir.path() / "three");
    auto names = fs.list(dir.path());
    std::sort(names.begin(), names.end());
    EXPECT_EQ(names, (std::vector<std::string>{"one", "three"}));
    fs.unlink(dir.path() / "one");
    EXPECT_EQ(fs.list(dir.path()), std::vector<std::string>{"three"});
    EXPECT_EQ(errno_of([&] { fs.unlink(dir.path() / "one"); }), ENOENT);
    EXPECT_EQ(errno_of([&] { fs.rename(dir.path() / "one", dir.path() / "x"); }), ENOENT);
    EXPECT_EQ(errno_of([&] { fs.fsync_directory(dir.path() / "three"); }), ENOTDIR);
}

TEST(PosixFileSystem, AvailableBytesIsPositiveAndFailsForAMissingPath) {
    test::TempDir dir;
    PosixFileSystem fs;
    EXPECT_GT(fs.available_bytes(dir.path()), 0u);
    EXPECT_EQ(errno_of([&] { fs.available_bytes(dir.path() / "missing"); }), ENOENT);
}

TEST(PosixFileSystem, WriteToAReadOnlyDescriptorFailsWithEbadf) {
    test::TempDir dir;
    PosixFileSystem fs;
    fs.open(dir.path() / "f", O_CREAT | O_WRONLY, 0640);
    Fd fd = fs.open(dir.path() / "f", O_RDONLY);
    EXPECT_EQ(errno_of([&] { fs.write_all(fd, bytes_of("x")); }), EBADF);
}

TEST(FaultyFileSystem, CountsEveryOperation) {
    test::TempDir dir;
    PosixFileSystem real;
    test::FaultyFileSystem fs(real);
    EXPECT_EQ(fs.operations(), 0);
    Fd fd = fs.open(dir.path() / "f", O_CREAT | O_RDWR, 0640);
    fs.write_all(fd, bytes_of("abc"));
    fs.fsync(fd);
    fs.available_bytes(dir.path());
    fs.list(dir.path());
    EXPECT_EQ(fs.operations(), 5);
}

TEST(FaultyFileSystem, FailsOnceAtTheGivenOperation) {
    test::TempDir dir;
    PosixFileSystem real;
    test::FaultyFileSystem fs(real);
    fs.fail_at(2, EIO);
    Fd fd = fs.open(dir.path() / "f", O_CREAT | O_RDWR, 0640);
    EXPECT_EQ(errno_of([&] { fs.write_all(fd, bytes_of("abc")); }), EIO);
    EXPECT_EQ(errno_of([&] { fs.write_all(fd, bytes_of("abc")); }), 0);
    EXPECT_EQ(read_whole(real, dir.path() / "f"), "abc");
}

TEST(FaultyFileSystem, FailsForeverFromTheGivenOperation) {
    test::TempDir dir;
    PosixFileSystem real;
    test::FaultyFileSystem fs(real);
    fs.fail_at(2, ENOSPC, test::FaultyFileSystem::Mode::forever);
    Fd fd = fs.open(dir.path() / "f", O_CREAT | O_RDWR, 0640);
    EXPECT_EQ(errno_of([&] { fs.write_all(fd, bytes_of("abc")); }), ENOSPC);
    EXPECT_EQ(errno_of([&] { fs.fsync(fd); }), ENOSPC);
    EXPECT_EQ(errno_of([&] { fs.unlink(dir.path() / "f"); }), ENOSPC);
    EXPECT_EQ(read_whole(real, dir.path() / "f"), "");
}

TEST(FaultyFileSystem, FlipsTheMiddleByteOfTheNthWriteOnly) {
    test::TempDir dir;
    PosixFileSystem real;
    test::FaultyFileSystem fs(real);
    fs.flip_byte_at_write(2);
    std::string text = "abc";
    {
        Fd fd = fs.open(dir.path() / "f", O_CREAT | O_WRONLY, 0640);
        fs.write_all(fd, bytes_of(text));
        fs.write_all(fd, bytes_of(text));
        fs.write_all(fd, bytes_of(text));
    }
    std::string expected = "abc" + std::string{'a', static_cast<char>(~'b'), 'c'} + "abc";
    EXPECT_EQ(read_whole(real, dir.path() / "f"), expected);
    EXPECT_EQ(text, "abc") << "the caller's buffer must not change";
}

TEST(FaultyFileSystem, CallsTheHookAtTheStartOfTheGivenOperation) {
    test::TempDir dir;
    PosixFileSystem real;
    test::FaultyFileSystem fs(real);
    int operations_seen = -1;
    fs.on_op(2, [&] { operations_seen = fs.operations(); });
    fs.list(dir.path());
    EXPECT_EQ(operations_seen, -1);
    fs.open(dir.path() / "f", O_CREAT | O_WRONLY, 0640);
    EXPECT_EQ(operations_seen, 2);
    EXPECT_TRUE(std::filesystem::exists(dir.path() / "f"));
}

}  // namespace
}  // namespace cradle
