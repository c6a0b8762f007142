// SPDX-License-Identifier: Apache-2.0
// A private D-Bus message bus for one test: a dbus-daemon of its own, listening on a unix socket
// in a fresh directory, with a policy that lets any user connect, own any name and send or
// receive anything. The daemon under test applies its own authorization on top, so the tests
// see exactly what a caller on the system bus would see from the service.
//
// The socket's directory is world-searchable so that a child process that dropped to an
// unprivileged uid (65534) can connect too.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>

#include "tests/support/temp_dir.hpp"

namespace cradle::test {

class PrivateBus {
  public:
    // Starts the bus and returns once it accepts connections (its address has been printed).
    // Throws std::runtime_error when dbus-daemon cannot be started or does not answer.
    PrivateBus();
    // A bus that applies a system bus's default policy (nobody may own a name or call a
    // method unless a policy allows it) with `service_policy`, a service's bus policy file,
    // included: for tests of that policy file.
    explicit PrivateBus(const std::filesystem::path& service_policy);
    // An open bus (as PrivateBus()) whose daemon lets each connection leave at most
    // `max_incoming_bytes` of its messages undelivered (the system bus allows 127 MiB): for
    // tests of what a reader that never reads does to the service.
    struct Quota {
        std::uint64_t max_incoming_bytes = 0;
    };
    explicit PrivateBus(Quota quota);
    PrivateBus(const PrivateBus&) = delete;
    PrivateBus& operator=(const PrivateBus&) = delete;
    // Stops the bus daemon and waits for it to exit.
    ~PrivateBus();

    // Stops the bus daemon and starts a new one on the same socket, with the same policy, as
    // a restart of the system bus would; its address() has a new guid.
    void restart();

    // The D-Bus address to connect to, e.g. "unix:path=.../bus_socket,guid=...".
    const std::string& address() const { return address_; }
    const std::filesystem::path& socket_path() const { return socket_path_; }
    pid_t pid() const { return pid_; }

  private:
    void start(const std::string& policy);

    TempDir dir_;
    std::string policy_;
    std::filesystem::path socket_path_;
    std::string address_;
    pid_t pid_ = -1;
};

}  // namespace cradle::test
