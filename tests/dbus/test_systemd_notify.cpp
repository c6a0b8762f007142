// SPDX-License-Identifier: Apache-2.0
// The real cradled under systemd's notify protocol: a datagram socket made by the test stands in
// for systemd (NOTIFY_SOCKET), so READY=1, the watchdog pings and STOPPING=1 are seen as
// systemd sees them, with the sender's pid from the kernel. No sleeps: every wait is poll() on
// the socket and on the daemon's log, with a deadline.
#include "core/catalog/catalog.hpp"
#include "tests/faults/rig.hpp"
#include "tests/support/catalog_rows.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace cradle::test {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kDeadline = std::chrono::seconds(30);

struct Notification {
    pid_t sender = 0;  // from the kernel (SCM_CREDENTIALS), not from the message
    std::string text;
    bool says(const std::string& assignment) const {
        return ("\n" + text + "\n").find("\n" + assignment + "\n") != std::string::npos;
    }
    bool has_field(const std::string& name) const {
        return ("\n" + text).find("\n" + name + "=") != std::string::npos;
    }
};

// systemd's end of NOTIFY_SOCKET.
class NotifySocket {
  public:
    explicit NotifySocket(std::filesystem::path path) : path_(std::move(path)) {
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd_ < 0) throw std::runtime_error("socket failed");
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        if (path_.string().size() >= sizeof address.sun_path)
            throw std::runtime_error("notify socket path too long: " + path_.string());
        std::strcpy(address.sun_path, path_.c_str());
        if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
            throw std::runtime_error("bind failed: " + std::string(std::strerror(errno)));
        const int on = 1;
        ::setsockopt(fd_, SOL_SOCKET, SO_PASSCRED, &on, sizeof on);
    }
    ~NotifySocket() { ::close(fd_); }
    NotifySocket(const NotifySocket&) = delete;
    NotifySocket& operator=(const NotifySocket&) = delete;

    int fd() const { return fd_; }
    const std::filesystem::path& path() const { return path_; }

    // Every datagram waiting on the socket.
    void receive(std::vector<Notification>& into) {
        for (;;) {
            char data[4096];
            alignas(cmsghdr) char control[CMSG_SPACE(sizeof(ucred))];
            iovec part{data, sizeof data};
            msghdr message{};
            message.msg_iov = &part;
            message.msg_iovlen = 1;
            message.msg_control = control;
            message.msg_controllen = sizeof control;
            const ssize_t size = ::recvmsg(fd_, &message, 0);
            if (size < 0) return;
            Notification notification;
            notification.text.assign(data, static_cast<std::size_t>(size));
            for (cmsghdr* c = CMSG_FIRSTHDR(&message); c != nullptr; c = CMSG_NXTHDR(&message, c)) {
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
                    ucred credentials{};
                    std::memcpy(&credentials, CMSG_DATA(c), sizeof credentials);
                    notification.sender = credentials.pid;
                }
            }
            into.push_back(std::move(notification));
        }
    }

  private:
    std::filesystem::path path_;
    int fd_ = -1;
};

enum class Watchdog { off, this_process, other_process };

struct StartOptions {
    Watchdog watchdog = Watchdog::off;
    std::chrono::microseconds watchdog_interval{1'000'000};
    bool exit_when_idle = false;
};

// The real daemon, started as systemd starts a Type=notify service.
class NotifiedCradled {
  public:
    NotifiedCradled(const std::filesystem::path& config, NotifySocket& socket,
                    const StartOptions& options)
        : socket_(socket) {
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
        const std::string binary = cradled_demo_binary();
        std::vector<std::string> args = {"cradled", "--config", config.string(), "--bus", "none"};
        if (options.exit_when_idle) args.push_back("--exit-when-idle");
        std::vector<std::string> environment = {"NOTIFY_SOCKET=" + socket.path().string()};
        for (const char* keep :
             {"PATH", "TMPDIR", "ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"}) {
            if (const char* value = std::getenv(keep))
                environment.push_back(std::string(keep) + "=" + value);
        }
        if (options.watchdog != Watchdog::off) {
            environment.push_back("WATCHDOG_USEC=" +
                                  std::to_string(options.watchdog_interval.count()));
        }
        // WATCHDOG_PID names the process meant to ping: systemd sets it to the service's main
        // pid, which only the child knows before exec.
        char watchdog_pid[32] = "WATCHDOG_PID=";
        const std::size_t watchdog_pid_prefix = std::strlen(watchdog_pid);
        if (options.watchdog == Watchdog::other_process) {
            environment.push_back("WATCHDOG_PID=" + std::to_string(::getpid()));
        }
        std::vector<char*> argv;
        for (auto& arg : args) argv.push_back(arg.data());
        argv.push_back(nullptr);
        std::vector<char*> envp;
        for (auto& entry : environment) envp.push_back(entry.data());
        if (options.watchdog == Watchdog::this_process) envp.push_back(watchdog_pid);
        envp.push_back(nullptr);

        pid_ = ::fork();
        if (pid_ < 0) throw std::runtime_error("fork failed");
        if (pid_ == 0) {
            // Only async-signal-safe calls from here to exec.
            char digits[16];
            int count = 0;
            for (pid_t self = ::getpid(); self > 0; self /= 10)
                digits[count++] = static_cast<char>('0' + self % 10);
            std::size_t at = watchdog_pid_prefix;
            while (count > 0) watchdog_pid[at++] = digits[--count];
            watchdog_pid[at] = '\0';
            ::dup2(fds[1], STDERR_FILENO);
            ::execve(binary.c_str(), argv.data(), envp.data());
            ::_exit(127);
        }
        ::close(fds[1]);
        log_fd_ = fds[0];
    }

    ~NotifiedCradled() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
        if (log_fd_ >= 0) ::close(log_fd_);
    }
    NotifiedCradled(const NotifiedCradled&) = delete;
    NotifiedCradled& operator=(const NotifiedCradled&) = delete;

    pid_t pid() const { return pid_; }
    const std::string& log() const { return log_; }
    const std::vector<Notification>& notifications() const { return notifications_; }

    // The first notification (counting from `from`) that says `assignment`, e.g. "READY=1".
    std::optional<std::size_t> wait_for_notification(const std::string& assignment,
                                                     std::size_t from = 0) {
        std::optional<std::size_t> found;
        wait_until([&] {
            for (std::size_t i = from; i < notifications_.size(); ++i) {
                if (notifications_[i].says(assignment)) {
                    found = i;
                    return true;
                }
            }
            return false;
        });
        return found;
    }

    bool wait_for_log(const std::string& text) {
        return wait_until([&] { return log_.find(text) != std::string::npos; });
    }

    // The exit status, once the daemon has exited (its log is closed); nothing at the deadline.
    std::optional<int> wait_for_exit() {
        if (!wait_until([&] { return log_fd_ < 0; })) return std::nullopt;
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
        socket_.receive(notifications_);
        return status;
    }

    void terminate() { ::kill(pid_, SIGTERM); }

    // Reads what the daemon has written to its log so far. Everything it wrote before a
    // notification is in the pipe by the time the notification is received.
    void read_log_so_far() {
        pollfd fd{log_fd_, POLLIN, 0};
        while (log_fd_ >= 0 && ::poll(&fd, 1, 0) > 0) {
            char data[4096];
            const ssize_t size = ::read(log_fd_, data, sizeof data);
            if (size <= 0) {
                ::close(log_fd_);
                log_fd_ = -1;
                return;
            }
            log_.append(data, static_cast<std::size_t>(size));
        }
    }

  private:
    bool wait_until(const std::function<bool()>& done) {
        const auto deadline = Clock::now() + kDeadline;
        while (!done()) {
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
            if (left.count() <= 0) return false;
            pollfd fds[2] = {{socket_.fd(), POLLIN, 0}, {log_fd_, POLLIN, 0}};
            const nfds_t count = log_fd_ >= 0 ? 2 : 1;
            if (::poll(fds, count, static_cast<int>(left.count())) < 0 && errno != EINTR)
                return false;
            if (fds[0].revents & POLLIN) socket_.receive(notifications_);
            if (count == 2 && fds[1].revents != 0) {
                char data[4096];
                const ssize_t size = ::read(log_fd_, data, sizeof data);
                if (size > 0) {
                    log_.append(data, static_cast<std::size_t>(size));
                } else {
                    ::close(log_fd_);
                    log_fd_ = -1;
                }
            }
        }
        return true;
    }

    NotifySocket& socket_;
    pid_t pid_ = -1;
    int log_fd_ = -1;
    std::string log_;
    std::vector<Notification> notifications_;
};

// Two cameras whose offload takes about a second at the throttled rate.
struct SlowRig {
    SlowRig() : rig(2, 4, 8 << 20), socket(rig.root / "notify") {
        for (auto& camera : rig.spec.cameras) camera.faults.throttle_bytes_per_s = 16'000'000;
        config = write_daemon_config(rig);
        rig.provision();
    }
    Rig rig;
    NotifySocket socket;
    std::filesystem::path config;
};

std::size_t count_saying(const std::vector<Notification>& notifications, const std::string& what) {
    std::size_t count = 0;
    for (const auto& n : notifications) count += n.says(what) ? 1 : 0;
    return count;
}

// Sends SIGTERM and expects cradled to stop with exit status 0.
void expect_clean_stop(NotifiedCradled& cradled) {
    cradled.terminate();
    const auto status = cradled.wait_for_exit();
    ASSERT_TRUE(status) << "did not stop on SIGTERM; log:\n" << cradled.log();
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << "status " << *status;
}

TEST(SystemdNotify, ReadyComesOnlyAfterRecoveryCleanedTheStateDirectory) {
    SlowRig setup;
    // What a crash leaves behind: an unfinished copy in staging, and a file renamed into the
    // archive whose catalog transaction never happened.
    const auto part = setup.rig.state / "staging" / "999999.part";
    const auto uncommitted =
        setup.rig.state / "archive" / "2020" / "01" / "01" / "1" / "999999.mp4";
    std::filesystem::create_directories(part.parent_path());
    std::filesystem::create_directories(uncommitted.parent_path());
    std::ofstream(part) << "half a recording";
    std::ofstream(uncommitted) << "a whole recording, never committed";
    {
        // The catalog of the run that crashed (without one, the archive's file would stop the
        // start: a catalog behind the archive).
        Catalog catalog = test::signed_catalog(setup.rig.state);
        catalog.audit(AuditEvent{"daemon.start", 0, {}, 0, "the run that crashed"}, 1);
    }

    NotifiedCradled cradled(setup.config, setup.socket, {});
    const auto ready = cradled.wait_for_notification("READY=1");
    ASSERT_TRUE(ready) << "no READY=1; log:\n" << cradled.log();
    cradled.read_log_so_far();
    EXPECT_NE(cradled.log().find("recovery: removed unfinished copy 999999.part"),
              std::string::npos)
        << "READY=1 before staging was cleaned; log:\n"
        << cradled.log();
    EXPECT_NE(cradled.log().find("recovery: moved archive/2020/01/01/1/999999.mp4 to "
                                 "quarantine/2020/01/01/1/999999.mp4"),
              std::string::npos)
        << "READY=1 before the archive was checked; log:\n"
        << cradled.log();
    EXPECT_FALSE(std::filesystem::exists(part)) << "READY=1 before staging was cleaned";
    EXPECT_FALSE(std::filesystem::exists(uncommitted))
        << "READY=1 before the uncommitted archive file was put aside";
    EXPECT_TRUE(std::filesystem::exists(setup.rig.state / "quarantine" / "2020" / "01" / "01" /
                                        "1" / "999999.mp4"))
        << "an archive file is moved to quarantine, never deleted";
    const Notification& message = cradled.notifications()[*ready];
    EXPECT_EQ(message.sender, cradled.pid()) << "NotifyAccess=main needs the main process";
    EXPECT_TRUE(message.has_field("STATUS")) << message.text;
    EXPECT_EQ(*ready, 0u) << "READY=1 is the first thing systemd hears";

    ASSERT_NO_FATAL_FAILURE(expect_clean_stop(cradled));
    EXPECT_EQ(count_saying(cradled.notifications(), "WATCHDOG=1"), 0u)
        << "pings without WATCHDOG_USEC";
}

TEST(SystemdNotify, WatchdogIsPingedFromTheLoopByTheMainProcess) {
    SlowRig setup;
    StartOptions options;
    options.watchdog = Watchdog::this_process;
    options.watchdog_interval = std::chrono::milliseconds(200);
    NotifiedCradled cradled(setup.config, setup.socket, options);
    const auto ready = cradled.wait_for_notification("READY=1");
    ASSERT_TRUE(ready) << "no READY=1; log:\n" << cradled.log();
    // Three pings at half the interval, while the cameras are offloaded.
    std::optional<std::size_t> ping = ready;
    for (int i = 0; i < 3 && ping; ++i)
        ping = cradled.wait_for_notification("WATCHDOG=1", *ping + 1);
    ASSERT_TRUE(ping) << "fewer than three WATCHDOG=1; log:\n" << cradled.log();
    for (const auto& notification : cradled.notifications()) {
        EXPECT_EQ(notification.sender, cradled.pid()) << notification.text;
    }
    ASSERT_NO_FATAL_FAILURE(expect_clean_stop(cradled));
}

TEST(SystemdNotify, WatchdogMeantForAnotherProcessIsNotPinged) {
    SlowRig setup;
    StartOptions options;
    options.watchdog = Watchdog::other_process;
    options.watchdog_interval = std::chrono::milliseconds(20);
    NotifiedCradled cradled(setup.config, setup.socket, options);
    ASSERT_TRUE(cradled.wait_for_notification("READY=1")) << cradled.log();
    // A verified copy takes far longer than the 10 ms a ping would come at.
    ASSERT_TRUE(cradled.wait_for_log("archived and verified")) << cradled.log();
    cradled.terminate();
    ASSERT_TRUE(cradled.wait_for_exit()) << cradled.log();
    EXPECT_EQ(count_saying(cradled.notifications(), "WATCHDOG=1"), 0u);
}

TEST(SystemdNotify, SigtermMidOffloadSaysStoppingLosesNothingAndTheNextStartFinishes) {
    SlowRig setup;
    StartOptions options;
    options.watchdog = Watchdog::this_process;
    {
        NotifiedCradled cradled(setup.config, setup.socket, options);
        ASSERT_TRUE(cradled.wait_for_notification("READY=1")) << cradled.log();
        ASSERT_TRUE(cradled.wait_for_log("archived and verified")) << cradled.log();
        cradled.terminate();
        const auto stopping = cradled.wait_for_notification("STOPPING=1");
        ASSERT_TRUE(stopping) << "no STOPPING=1; log:\n" << cradled.log();
        EXPECT_EQ(cradled.notifications()[*stopping].sender, cradled.pid());
        const auto status = cradled.wait_for_exit();
        ASSERT_TRUE(status) << "did not exit after STOPPING=1; log:\n" << cradled.log();
        EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << "status " << *status;
        EXPECT_EQ(count_saying(cradled.notifications(), "READY=1"), 1u);
    }
    // Nothing lost or altered. The state directory itself is only promised clean after the next
    // start's recovery (a copy placed in the archive just as the stop came may lack its catalog
    // row until then; test_sigterm pins the stronger promise of a clean stop).
    EXPECT_EQ(join_problems(setup.rig.loss_problems()), "");
    ASSERT_FALSE(setup.rig.not_archived_and_wiped().empty()) << "the stop came too late to test";

    NotifiedCradled again(setup.config, setup.socket, StartOptions{.exit_when_idle = true});
    const auto status = again.wait_for_exit();
    ASSERT_TRUE(status) << again.log();
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << "status " << *status;
    EXPECT_EQ(count_saying(again.notifications(), "READY=1"), 1u);
    EXPECT_EQ(count_saying(again.notifications(), "STOPPING=1"), 1u);
    // systemctl status shows each dock's outcome as it ends.
    for (const char* serial : {"TEST-1", "TEST-2"}) {
        bool shown = false;
        for (const auto& notification : again.notifications()) {
            shown =
                shown || notification.text.find(std::string("STATUS=Last dock: bay ") + serial[5] +
                                                " " + serial + ": ") != std::string::npos;
        }
        EXPECT_TRUE(shown) << "no dock outcome of " << serial << " in STATUS=";
    }
    EXPECT_EQ(join_problems(setup.rig.invariant_problems()), "");
    EXPECT_EQ(join_problems(setup.rig.not_archived_and_wiped()), "");
}

}  // namespace
}  // namespace cradle::test
