// SPDX-License-Identifier: Apache-2.0
#include "tests/support/private_bus.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <vector>

extern char** environ;

namespace cradle::test {
namespace {

// The address pipe is handed to dbus-daemon as this descriptor.
constexpr int kAddressFd = 3;
// dbus-daemon prints its address within milliseconds; this only bounds a broken start.
constexpr std::chrono::seconds kStartDeadline{10};

// EXTERNAL authentication works for every uid on a unix socket; the policy then allows
// everything, as a session bus does, plus connections from any user.
constexpr const char* kOpenPolicy = R"(  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow receive_sender="*"/>
    <allow eavesdrop="true"/>
  </policy>
)";

// What a system bus allows by default: anyone may connect and talk to the bus daemon, replies
// and signals flow, but owning a name or calling a method of a service needs a policy file.
constexpr const char* kSystemPolicy = R"(  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus"
           send_interface="org.freedesktop.DBus.Introspectable"/>
  </policy>
)";

std::string bus_config(const std::filesystem::path& socket_path, const std::string& policy) {
    return "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
           " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
           "<busconfig>\n"
           "  <type>cradled-test</type>\n"
           "  <listen>unix:path=" +
           socket_path.string() + "</listen>\n  <auth>EXTERNAL</auth>\n" + policy +
           "</busconfig>\n";
}

class Pipe {
  public:
    Pipe() {
        if (::pipe2(fds_, O_CLOEXEC) != 0) {
            throw std::runtime_error(std::string("pipe2: ") + std::strerror(errno));
        }
    }
    Pipe(const Pipe&) = delete;
    Pipe& operator=(const Pipe&) = delete;
    ~Pipe() {
        close_read();
        close_write();
    }
    int read_end() const { return fds_[0]; }
    int write_end() const { return fds_[1]; }
    void close_read() { close_fd(fds_[0]); }
    void close_write() { close_fd(fds_[1]); }

  private:
    static void close_fd(int& fd) {
        if (fd >= 0) {
            ::close(fd);
            fd = -1;
        }
    }
    int fds_[2] = {-1, -1};
};

class SpawnActions {
  public:
    SpawnActions() { ::posix_spawn_file_actions_init(&actions_); }
    SpawnActions(const SpawnActions&) = delete;
    SpawnActions& operator=(const SpawnActions&) = delete;
    ~SpawnActions() { ::posix_spawn_file_actions_destroy(&actions_); }
    posix_spawn_file_actions_t* get() { return &actions_; }

  private:
    posix_spawn_file_actions_t actions_;
};

void stop_and_reap(pid_t pid) {
    if (pid <= 0) {
        return;
    }
    ::kill(pid, SIGTERM);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
}

// Reads the first line dbus-daemon writes to the pipe: its address.
std::string read_address(int fd) {
    std::string text;
    auto deadline = std::chrono::steady_clock::now() + kStartDeadline;
    while (text.find('\n') == std::string::npos) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            throw std::runtime_error("dbus-daemon printed no address within " +
                                     std::to_string(kStartDeadline.count()) + " s");
        }
        pollfd waiting{fd, POLLIN, 0};
        int ready = ::poll(&waiting, 1, static_cast<int>(left.count()));
        if (ready < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
        }
        if (ready == 0) {
            continue;
        }
        char buffer[512];
        ssize_t got = ::read(fd, buffer, sizeof buffer);
        if (got < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw std::runtime_error(std::string("read: ") + std::strerror(errno));
        }
        if (got == 0) {
            throw std::runtime_error("dbus-daemon exited before printing its address: " + text);
        }
        text.append(buffer, static_cast<std::size_t>(got));
    }
    return text.substr(0, text.find('\n'));
}

}  // namespace

PrivateBus::PrivateBus() {
    start(kOpenPolicy);
}

PrivateBus::PrivateBus(const std::filesystem::path& service_policy) {
    start(std::string(kSystemPolicy) + "  <include ignore_missing=\"no\">" +
          service_policy.string() + "</include>\n");
}

PrivateBus::PrivateBus(Quota quota) {
    start(std::string(kOpenPolicy) + "  <limit name=\"max_incoming_bytes\">" +
          std::to_string(quota.max_incoming_bytes) + "</limit>\n");
}

void PrivateBus::restart() {
    stop_and_reap(pid_);
    pid_ = -1;
    start(policy_);
}

void PrivateBus::start(const std::string& policy) {
    policy_ = policy;
    // mkdtemp made the directory 0700; a caller that dropped to another uid must reach the
    // socket inside it.
    std::filesystem::permissions(dir_.path(), std::filesystem::perms::owner_all |
                                                  std::filesystem::perms::group_exec |
                                                  std::filesystem::perms::others_exec);
    socket_path_ = dir_.path() / "bus_socket";
    std::filesystem::path config_path = dir_.path() / "bus.conf";
    {
        std::ofstream config(config_path);
        config << bus_config(socket_path_, policy);
        if (!config.flush()) {
            throw std::runtime_error("cannot write " + config_path.string());
        }
    }

    Pipe address_pipe;
    SpawnActions actions;
    // dup2 onto another number clears close-on-exec, so only this end reaches dbus-daemon.
    ::posix_spawn_file_actions_adddup2(actions.get(), address_pipe.write_end(), kAddressFd);
    std::string config_arg = "--config-file=" + config_path.string();
    std::string address_arg = "--print-address=" + std::to_string(kAddressFd);
    std::vector<char*> argv = {
        const_cast<char*>("dbus-daemon"), config_arg.data(),  const_cast<char*>("--nofork"),
        const_cast<char*>("--nosyslog"),  address_arg.data(), nullptr};
    int spawned =
        ::posix_spawnp(&pid_, "dbus-daemon", actions.get(), nullptr, argv.data(), environ);
    if (spawned != 0) {
        pid_ = -1;
        throw std::runtime_error(std::string("cannot start dbus-daemon: ") +
                                 std::strerror(spawned));
    }
    // Only the child holds the write end now, so its exit ends our read.
    address_pipe.close_write();
    try {
        address_ = read_address(address_pipe.read_end());
    } catch (...) {
        stop_and_reap(pid_);
        pid_ = -1;
        throw;
    }
}

PrivateBus::~PrivateBus() {
    stop_and_reap(pid_);
}

}  // namespace cradle::test
