// SPDX-License-Identifier: Apache-2.0
// A file replaced whole (AtomicFile) and a file read whole (read_whole_file).
#include "common/atomic_file.hpp"
#include "common/read_file.hpp"
#include "tests/support/file_text.hpp"
#include "tests/support/temp_dir.hpp"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <filesystem>
#include <string>
#include <system_error>

namespace cradle {
namespace {

namespace fs = std::filesystem;
using test::file_text;

std::size_t entries_in(const fs::path& dir) {
    std::size_t count = 0;
    for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir)) ++count;
    return count;
}

TEST(AtomicFile, ReplacesAFileWholeAndLeavesNoTemporaryBehind) {
    test::TempDir dir;
    const fs::path file = dir.path() / "bays.toml";
    write_file_atomically(file, "first\n");
    write_file_atomically(file, "second\n");
    EXPECT_EQ(file_text(file), "second\n");
    EXPECT_EQ(entries_in(dir.path()), 1u);
}

TEST(AtomicFile, NotCommittedLeavesTheOldFileAndNoTemporary) {
    test::TempDir dir;
    const fs::path file = dir.path() / "bays.toml";
    write_file_atomically(file, "kept\n");
    {
        AtomicFile replacement(file);
        replacement.write("never in place\n");
    }
    EXPECT_EQ(file_text(file), "kept\n");
    EXPECT_EQ(entries_in(dir.path()), 1u);
}

TEST(AtomicFile, TheModeIsLessTheUmaskAsOpenWouldMakeIt) {
    test::TempDir dir;
    const fs::path file = dir.path() / "device.toml";
    const mode_t mask = ::umask(022);
    write_file_atomically(file, "x", 0644);
    ::umask(mask);
    struct stat st {};
    ASSERT_EQ(::stat(file.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0644u);
}

TEST(AtomicFile, AnUnwritableDirectoryIsAnErrorNamingTheFile) {
    const fs::path file = "/nonexistent-directory/bays.toml";
    try {
        write_file_atomically(file, "x");
        FAIL() << "a file was written where no directory is";
    } catch (const std::system_error& error) {
        EXPECT_EQ(error.code().value(), ENOENT);
        EXPECT_NE(std::string(error.what()).find(file.string()), std::string::npos) << error.what();
    }
}

TEST(ReadWholeFile, ReadsAFileUpToItsLimit) {
    test::TempDir dir;
    const fs::path file = dir.path() / "cradled.toml";
    write_file_atomically(file, std::string(1024, 'x'));
    EXPECT_EQ(read_whole_file(file, 1024), std::string(1024, 'x'));
    try {
        read_whole_file(file, 1023);
        FAIL() << "a file over its limit was read";
    } catch (const ReadFileError& error) {
        EXPECT_EQ(error.kind(), ReadFileError::Kind::too_large);
        EXPECT_EQ(std::string(error.what()),
                  "cannot read " + file.string() + ": larger than 1023 bytes");
    }
}

TEST(ReadWholeFile, AMissingFileSaysWhy) {
    test::TempDir dir;
    const fs::path file = dir.path() / "missing.toml";
    try {
        read_whole_file(file, 1 << 20);
        FAIL() << "a missing file was read";
    } catch (const ReadFileError& error) {
        EXPECT_EQ(error.kind(), ReadFileError::Kind::cannot_open);
        EXPECT_EQ(error.error(), ENOENT);
        EXPECT_EQ(std::string(error.what()),
                  "cannot read " + file.string() + ": No such file or directory");
    }
}

TEST(ReadWholeFile, AFifoIsRefusedAtOnceNotWaitedOn) {
    test::TempDir dir;
    const fs::path fifo = dir.path() / "cradled.toml";
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    try {
        read_whole_file(fifo, 16u << 20);
        FAIL() << "a FIFO was read";
    } catch (const ReadFileError& error) {
        EXPECT_EQ(error.kind(), ReadFileError::Kind::not_regular);
        EXPECT_EQ(std::string(error.what()),
                  "cannot read " + fifo.string() + ": not a regular file");
    }
}

}  // namespace
}  // namespace cradle
