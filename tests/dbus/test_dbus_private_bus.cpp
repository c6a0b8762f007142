// SPDX-License-Identifier: Apache-2.0
// The private test bus: it starts, answers at its printed address, lets an unprivileged uid
// connect and stops with its owner.
#include <grp.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include <cerrno>

#include "tests/support/another_user.hpp"
#include "tests/support/private_bus.hpp"

namespace cradle::test {
namespace {

// Connects to `address` and asks the bus for its id; returns the sd-bus result (>= 0 on success).
int ping_bus(const std::string& address) {
    sd_bus* bus = nullptr;
    int r = sd_bus_new(&bus);
    if (r < 0) {
        return r;
    }
    r = sd_bus_set_address(bus, address.c_str());
    if (r >= 0) {
        r = sd_bus_set_bus_client(bus, 1);
    }
    if (r >= 0) {
        r = sd_bus_start(bus);
    }
    if (r >= 0) {
        sd_id128_t id;
        r = sd_bus_get_bus_id(bus, &id);
    }
    sd_bus_flush_close_unref(bus);
    return r;
}

TEST(PrivateBus, AnswersAtItsPrintedAddress) {
    PrivateBus bus;
    EXPECT_NE(bus.address().find("unix:path="), std::string::npos) << bus.address();
    EXPECT_GE(ping_bus(bus.address()), 0);
}

TEST(PrivateBus, StopsWithItsOwner) {
    pid_t pid = -1;
    {
        PrivateBus bus;
        pid = bus.pid();
        ASSERT_GT(pid, 0);
    }
    // Reaped: the pid no longer names our child.
    EXPECT_EQ(::waitpid(pid, nullptr, WNOHANG), -1);
    EXPECT_EQ(errno, ECHILD);
}

TEST(PrivateBus, AcceptsAnUnprivilegedCaller) {
    if (const std::string why = why_not_the_unprivileged_caller(); !why.empty())
        GTEST_SKIP() << why;
    PrivateBus bus;
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        if (::setgroups(0, nullptr) != 0 || ::setgid(kUnprivilegedGid) != 0 ||
            ::setuid(kUnprivilegedUid) != 0) {
            ::_exit(2);
        }
        ::_exit(ping_bus(bus.address()) >= 0 ? 0 : 1);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace cradle::test
