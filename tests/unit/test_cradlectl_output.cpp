// SPDX-License-Identifier: Apache-2.0
// cradlectl's -o FILE, through the built binary offline: a regular file is replaced whole and
// keeps its mode and owner; a device, a FIFO or a link to one is written in place and stays what
// it is; an output that cannot be written is exit status 2. Reports and exports alike.
#include "tests/support/file_text.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/state_dir_builder.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace cradle {
namespace {

namespace fs = std::filesystem;
using test::file_text;
using test::StateDirBuilder;
using test::TempDir;

constexpr int kDeadlineMs = 30'000;

// A cradlectl started on a state directory, its stdout and stderr in a file.
class Cradlectl {
  public:
    Cradlectl(const fs::path& state_dir, const std::vector<std::string>& args,
              const fs::path& log) {
        const char* bin_dir = std::getenv("CRADLED_BIN_DIR");
        if (bin_dir == nullptr) throw std::runtime_error("CRADLED_BIN_DIR is not set");
        std::vector<std::string> all = {std::string(bin_dir) + "/cradlectl", "--state-dir",
                                        state_dir.string()};
        all.insert(all.end(), args.begin(), args.end());
        pid_ = ::fork();
        if (pid_ < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
        if (pid_ == 0) {
            const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
            if (out < 0 || ::dup2(out, STDOUT_FILENO) < 0 || ::dup2(out, STDERR_FILENO) < 0) {
                ::_exit(126);
            }
            std::vector<char*> argv;
            for (std::string& arg : all) argv.push_back(arg.data());
            argv.push_back(nullptr);
            ::execv(argv[0], argv.data());
            ::_exit(127);
        }
        pidfd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
        if (pidfd_ < 0)
            throw std::runtime_error(std::string("pidfd_open: ") + std::strerror(errno));
    }
    Cradlectl(const Cradlectl&) = delete;
    Cradlectl& operator=(const Cradlectl&) = delete;
    ~Cradlectl() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
        if (pidfd_ >= 0) ::close(pidfd_);
    }

    // Readable once the process has exited.
    int pidfd() const { return pidfd_; }

    // The exit status; -1 when it did not exit by itself within the deadline.
    int wait() {
        pollfd exited{pidfd_, POLLIN, 0};
        int ready = 0;
        do {
            ready = ::poll(&exited, 1, kDeadlineMs);
        } while (ready < 0 && errno == EINTR);
        if (ready == 0) ::kill(pid_, SIGKILL);
        int status = 0;
        while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
        }
        pid_ = -1;
        return ready > 0 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }

  private:
    pid_t pid_ = -1;
    int pidfd_ = -1;
};

class OutputFileOfCradlectl : public ::testing::Test {
  protected:
    void SetUp() override {
        StateDirBuilder state(state_dir());
        state.add_recording("CAM-OUT-1", "clip.mp4", "footage");
        state.close_catalog();
    }

    fs::path state_dir() const { return dir_.path() / "state"; }

    struct Run {
        int exit_status = -1;
        std::string output;
    };

    Run run(const std::vector<std::string>& args) {
        const fs::path log = dir_.path() / ("run-" + std::to_string(++runs_) + ".log");
        Cradlectl cradlectl(state_dir(), args, log);
        Run result;
        result.exit_status = cradlectl.wait();
        result.output = file_text(log);
        return result;
    }

    // What a report or an export writes to a fresh regular file: the bytes to expect elsewhere.
    std::string fresh(const std::vector<std::string>& args) {
        const fs::path file = dir_.path() / ("fresh-" + std::to_string(++runs_));
        std::vector<std::string> all = args;
        all.insert(all.end(), {"-o", file.string()});
        const Run result = run(all);
        EXPECT_EQ(result.exit_status, 0) << result.output;
        return file_text(file);
    }

    TempDir dir_;
    int runs_ = 0;
};

const std::vector<std::string> kReport = {"report", "assignments", "--format", "csv"};
const std::vector<std::string> kExport = {"export", "devices"};

TEST_F(OutputFileOfCradlectl, AnExistingFileKeepsItsModeAndOwner) {
    for (const auto& command : {kReport, kExport}) {
        SCOPED_TRACE(command.front());
        const fs::path file = dir_.path() / ("kept-" + command.front() + ".csv");
        std::ofstream(file) << "earlier";
        ASSERT_EQ(::chmod(file.c_str(), 0640), 0);
        // As root, a file IT handed to another user stays theirs.
        const bool root = ::geteuid() == 0;
        if (root) {
            ASSERT_EQ(::chown(file.c_str(), 65534, 65534), 0);
        }
        std::vector<std::string> args = command;
        args.insert(args.end(), {"-o", file.string()});
        const Run result = run(args);
        ASSERT_EQ(result.exit_status, 0) << result.output;
        const std::string written = file_text(file);
        EXPECT_NE(written.find("CAM-OUT-1"), std::string::npos) << written;
        struct stat status {};
        ASSERT_EQ(::lstat(file.c_str(), &status), 0);
        EXPECT_TRUE(S_ISREG(status.st_mode));
        EXPECT_EQ(status.st_mode & 07777, 0640u);
        if (root) {
            EXPECT_EQ(status.st_uid, 65534u);
            EXPECT_EQ(status.st_gid, 65534u);
        }
        // No temporary file is left beside it.
        for (const auto& entry : fs::directory_iterator(dir_.path())) {
            EXPECT_NE(entry.path().filename().string().front(), '.') << entry.path();
        }
    }
}

TEST_F(OutputFileOfCradlectl, ALinkIsWrittenThroughAndStaysALink) {
    for (const auto& command : {kReport, kExport}) {
        SCOPED_TRACE(command.front());
        const fs::path real = dir_.path() / ("real-" + command.front() + ".csv");
        const fs::path link = dir_.path() / ("link-" + command.front() + ".csv");
        std::ofstream(real) << "earlier";
        fs::create_symlink(real.filename(), link);  // relative, as links often are
        std::vector<std::string> args = command;
        args.insert(args.end(), {"-o", link.string()});
        const Run result = run(args);
        ASSERT_EQ(result.exit_status, 0) << result.output;
        EXPECT_TRUE(fs::is_symlink(link));
        EXPECT_NE(file_text(real).find("CAM-OUT-1"), std::string::npos);
    }
}

TEST_F(OutputFileOfCradlectl, ADeviceIsWrittenInPlaceNotReplaced) {
    // /dev/null itself is never named here: a cradlectl that replaced it would break the
    // machine. A link to it must lead the bytes there and stay a link.
    const fs::path to_null = dir_.path() / "to-null";
    fs::create_symlink("/dev/null", to_null);
    for (const auto& command : {kReport, kExport}) {
        SCOPED_TRACE(command.front());
        std::vector<std::string> args = command;
        args.insert(args.end(), {"-o", to_null.string()});
        const Run result = run(args);
        EXPECT_EQ(result.exit_status, 0) << result.output;
        EXPECT_TRUE(fs::is_symlink(to_null));
        EXPECT_TRUE(fs::is_character_file(to_null));
    }
}

TEST_F(OutputFileOfCradlectl, AFullDeviceIsExitStatusTwo) {
    // /dev/full refuses every write (ENOSPC): the output cannot be written.
    const fs::path to_full = dir_.path() / "to-full";
    fs::create_symlink("/dev/full", to_full);
    for (const auto& command : {kReport, kExport}) {
        SCOPED_TRACE(command.front());
        std::vector<std::string> args = command;
        args.insert(args.end(), {"-o", to_full.string()});
        const Run result = run(args);
        EXPECT_EQ(result.exit_status, 2) << result.output;
        EXPECT_NE(result.output.find("cannot write " + to_full.string()), std::string::npos)
            << result.output;
        EXPECT_TRUE(fs::is_symlink(to_full));
    }
}

TEST_F(OutputFileOfCradlectl, AFifoReceivesTheBytesAndStaysAFifo) {
    for (const auto& command : {kReport, kExport}) {
        SCOPED_TRACE(command.front());
        const std::string expected = fresh(command);
        ASSERT_FALSE(expected.empty());
        const fs::path fifo = dir_.path() / ("pipe-" + command.front());
        ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
        // The reader is there first, so the writer's open does not wait; non-blocking, so that a
        // cradlectl that never opens the FIFO ends the test instead of hanging it.
        const int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
        ASSERT_GE(reader, 0) << std::strerror(errno);
        std::vector<std::string> args = command;
        args.insert(args.end(), {"-o", fifo.string()});
        const fs::path log = dir_.path() / ("fifo-" + command.front() + ".log");
        Cradlectl cradlectl(state_dir(), args, log);
        std::string received;
        bool exited = false;
        for (;;) {
            pollfd ready[2] = {{reader, POLLIN, 0}, {cradlectl.pidfd(), POLLIN, 0}};
            const int count = ::poll(ready, 2, kDeadlineMs);
            if (count < 0 && errno == EINTR) continue;
            ASSERT_GT(count, 0) << "no end within the deadline";
            char buffer[4096];
            ssize_t got = 0;
            while ((got = ::read(reader, buffer, sizeof buffer)) > 0) {
                received.append(buffer, static_cast<std::size_t>(got));
            }
            if (exited) break;  // drained once more after the exit
            if ((ready[1].revents & POLLIN) != 0) exited = true;
            if ((ready[0].revents & POLLHUP) != 0 && got == 0) break;
        }
        ::close(reader);
        EXPECT_EQ(cradlectl.wait(), 0) << file_text(log);
        struct stat status {};
        ASSERT_EQ(::lstat(fifo.c_str(), &status), 0);
        EXPECT_TRUE(S_ISFIFO(status.st_mode));
        // The report's "generated at" is to the second: compare what does not move.
        if (command == kExport) {
            EXPECT_EQ(received, expected);
        } else {
            EXPECT_NE(received.find("CAM-OUT-1"), std::string::npos) << received;
        }
    }
}

}  // namespace
}  // namespace cradle
