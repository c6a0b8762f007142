// SPDX-License-Identifier: Apache-2.0
// The rig of the cradlectl tests over D-Bus: child processes with a deadline (cradled,
// cradlectl), JSON read with nlohmann-json to check their output field by field, and a fixture
// that runs cradled on an emulated two-bay cradle on a private bus. Header-only: each test
// executable includes it once.
#pragma once

#include "tests/support/another_user.hpp"
#include "tests/support/file_text.hpp"
#include "tests/support/json.hpp"
#include "tests/support/private_bus.hpp"
#include "tests/support/temp_dir.hpp"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace cradle::test {

namespace fs = std::filesystem;

inline constexpr std::chrono::seconds kCommandDeadline{30};

inline std::string bin_dir() {
    const char* dir = std::getenv("CRADLED_BIN_DIR");
    if (dir == nullptr) throw std::runtime_error("CRADLED_BIN_DIR is not set");
    return dir;
}

inline std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

// ---- Child processes, with their output in files (or stdout on a pipe) and a deadline.

class Child {
  public:
    struct Options {
        std::vector<std::string> argv;
        fs::path out_file;  // empty: a pipe, read with read_line()
        fs::path err_file;
        std::optional<uid_t> uid;  // drop to this uid (and gid) before exec: see as_unprivileged
        std::vector<std::string> environment;  // NAME=VALUE added to the inherited ones
    };

    explicit Child(const Options& options) {
        int pipe_fds[2] = {-1, -1};
        if (options.out_file.empty() && ::pipe2(pipe_fds, O_CLOEXEC) != 0) {
            throw std::runtime_error(std::string("pipe2: ") + std::strerror(errno));
        }
        pid_ = ::fork();
        if (pid_ < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
        if (pid_ == 0) {
            const int out = options.out_file.empty()
                                ? pipe_fds[1]
                                : ::open(options.out_file.c_str(),
                                         O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
            const int err =
                ::open(options.err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
            if (out < 0 || err < 0 || ::dup2(out, STDOUT_FILENO) < 0 ||
                ::dup2(err, STDERR_FILENO) < 0) {
                ::_exit(126);
            }
            if (options.uid) {
                // In a directory every user may reach: the test's own may be closed to it.
                if (::setgroups(0, nullptr) != 0 || ::setgid(*options.uid) != 0 ||
                    ::setuid(*options.uid) != 0 || ::chdir("/") != 0) {
                    ::_exit(125);
                }
            }
            for (const std::string& variable : options.environment) {
                ::putenv(const_cast<char*>(variable.c_str()));
            }
            std::vector<char*> argv;
            for (const std::string& arg : options.argv)
                argv.push_back(const_cast<char*>(arg.c_str()));
            argv.push_back(nullptr);
            ::execv(argv[0], argv.data());
            ::_exit(127);
        }
        if (options.out_file.empty()) {
            ::close(pipe_fds[1]);
            out_pipe_ = pipe_fds[0];
        }
    }
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;
    ~Child() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            reap();
        }
        if (out_pipe_ >= 0) ::close(out_pipe_);
    }

    pid_t pid() const { return pid_; }

    // The next line of standard output (on a pipe), or "" at its end or at the deadline.
    std::string read_line() {
        const auto deadline = std::chrono::steady_clock::now() + kCommandDeadline;
        for (;;) {
            if (auto end = buffered_.find('\n'); end != std::string::npos) {
                std::string line = buffered_.substr(0, end);
                buffered_.erase(0, end + 1);
                return line;
            }
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) return "";
            pollfd readable{out_pipe_, POLLIN, 0};
            const int ready = ::poll(&readable, 1, static_cast<int>(left.count()));
            if (ready < 0 && errno == EINTR) continue;
            if (ready <= 0) return "";
            char buffer[4096];
            const ssize_t got = ::read(out_pipe_, buffer, sizeof buffer);
            if (got <= 0) return "";
            buffered_.append(buffer, static_cast<std::size_t>(got));
        }
    }

    // Waits for the exit (killing the child at the deadline); the exit status, or -1 when it
    // did not exit by itself.
    int wait() {
        const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
        if (pidfd >= 0) {
            pollfd exited{pidfd, POLLIN, 0};
            const auto deadline_ms =
                std::chrono::duration_cast<std::chrono::milliseconds>(kCommandDeadline).count();
            int ready = 0;
            do {
                ready = ::poll(&exited, 1, static_cast<int>(deadline_ms));
            } while (ready < 0 && errno == EINTR);
            ::close(pidfd);
            if (ready == 0) {
                ::kill(pid_, SIGKILL);
                reap();
                return -1;
            }
        }
        const int status = reap();
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }

    void signal(int number) { ::kill(pid_, number); }

  private:
    int reap() {
        int status = 0;
        while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
        }
        pid_ = -1;
        return status;
    }

    pid_t pid_ = -1;
    int out_pipe_ = -1;
    std::string buffered_;
};

struct Result {
    int exit_status = -1;
    std::string out;
    std::string err;
};

// ---- The rig: a private bus, a state directory, cradled on the emulated cradle.

struct CameraPlan {
    std::uint64_t throttle_bytes_per_s = 0;
};

class CradlectlOverBus : public ::testing::Test {
  protected:
    // The emulated cradle (cradle.toml) and cradled's configuration (cradled.toml) in the test's
    // directory; a test of other cameras writes its own.
    virtual void write_configuration(std::uint64_t throttle_bytes_per_s) {
        fs::permissions(dir_.path(),
                        fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
        const std::string throttle =
            "[camera.faults]\nthrottle_bytes_per_s = " + std::to_string(throttle_bytes_per_s) +
            "\n";
        std::ofstream(dir_.path() / "cradle.toml")
            << "bays = 2\nptp = true\n"
               "[[camera]]\nserial = \"CAM-1\"\nbay = 1\nrecordings = 4\ntotal_bytes = " +
                   std::to_string(kCam1Bytes) + "\nseed = 7\nbattery_percent = 95\n" + throttle +
                   "[[camera]]\nserial = \"CAM-2\"\nbay = 2\nrecordings = 2\ntotal_bytes = "
                   "300000\nseed = 8\nbattery_percent = 95\n" +
                   throttle;
        std::ofstream(dir_.path() / "cradled.toml")
            << "[daemon]\nbackend = \"sim\"\nworkers = 2\n"
               "[readiness]\nclock_trust = \"always\"\n"
               "[[register]]\nserial = \"CAM-1\"\ncustodian = \"Custodian A\"\n"
               "officer = \"Officer B\"\nhead = \"Head C\"\n"
               "[sim]\ncradle = \"cradle.toml\"\n";
    }

    void start_daemon() {
        daemon_ = std::make_unique<Child>(Child::Options{
            {bin_dir() + "/cradled-demo", "--config", (dir_.path() / "cradled.toml").string(),
             "--state-dir", state_dir().string(), "--backend", "sim", "--bus", bus_.address()},
            dir_.path() / "daemon.out",
            dir_.path() / "daemon.log",
            {},
            {}});
    }

    void TearDown() override {
        if (daemon_) {
            daemon_->signal(SIGTERM);
            daemon_->wait();
        }
        if (HasFailure()) std::cerr << "cradled's log:\n" << file_text(dir_.path() / "daemon.log");
    }

    fs::path state_dir() const { return dir_.path() / "state"; }

    Child::Options cradlectl_options(const std::vector<std::string>& args, const std::string& name,
                                     bool on_bus = true) {
        Child::Options options;
        options.argv = {bin_dir() + "/cradlectl"};
        if (on_bus) options.argv.insert(options.argv.end(), {"--bus", bus_.address()});
        options.argv.insert(options.argv.end(), args.begin(), args.end());
        options.out_file = dir_.path() / (name + ".out");
        options.err_file = dir_.path() / (name + ".err");
        return options;
    }

    // `options` run as the unprivileged caller (uid 65534), from a copy of the program that
    // caller can reach wherever the build tree is (the copy is removed with the fixture).
    Child::Options as_unprivileged(Child::Options options) {
        if (!programs_for_another_user_) programs_for_another_user_.emplace();
        options.argv[0] = programs_for_another_user_->copy_of(options.argv[0]).string();
        options.uid = kUnprivilegedUid;
        return options;
    }

    Result finish(Child& child, const Child::Options& options) {
        Result result;
        result.exit_status = child.wait();
        result.out = file_text(options.out_file);
        result.err = file_text(options.err_file);
        return result;
    }

    Result run(const Child::Options& options) {
        Child child(options);
        return finish(child, options);
    }

    Result cradlectl(const std::vector<std::string>& args) {
        return run(cradlectl_options(args, "cradlectl-" + std::to_string(++runs_)));
    }

    Result offline(const std::vector<std::string>& args) {
        std::vector<std::string> all = {"--state-dir", state_dir().string()};
        all.insert(all.end(), args.begin(), args.end());
        return run(cradlectl_options(all, "offline-" + std::to_string(++runs_), false));
    }

    // Starts cradled, its cameras copying at `throttle_bytes_per_s` (0: at full speed), with a
    // live view that follows it until both docks have ended; returns what the view printed.
    // The view is the synchronisation, as an operator would use it.
    Result watch_daemon_until_idle(std::uint64_t throttle_bytes_per_s, const std::string& name,
                                   bool json = false) {
        write_configuration(throttle_bytes_per_s);
        std::vector<std::string> args = {"status", "--watch", "--wait", "--until-idle"};
        if (json) args.push_back("--json");
        const auto options = cradlectl_options(args, name);
        Child watch(options);
        start_daemon();
        return finish(watch, options);
    }

    void start_daemon_and_wait_until_idle() {
        const Result idle = watch_daemon_until_idle(0, "idle-watch");
        ASSERT_EQ(idle.exit_status, 0) << idle.out << idle.err;
    }

    static constexpr std::uint64_t kCam1Bytes = 2'000'000;

    TempDir dir_;
    PrivateBus bus_;
    std::unique_ptr<Child> daemon_;
    int runs_ = 0;
    std::optional<ProgramsForAnotherUser> programs_for_another_user_;
};

inline const std::string& line_with(const std::vector<std::string>& lines, std::string_view text) {
    static const std::string none;
    for (const std::string& line : lines) {
        if (line.find(text) != std::string::npos) return line;
    }
    return none;
}

}  // namespace cradle::test
