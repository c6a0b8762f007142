// SPDX-License-Identifier: Apache-2.0
// A clean stop: the real cradled, sent SIGTERM in the middle of an offload, stops promptly with
// exit status 0, leaves nothing half-done, and the next start finishes the job.
#include "tests/faults/rig.hpp"

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <stdexcept>
#include <string>

namespace cradle::test {
namespace {

struct Child {
    pid_t pid = -1;
    FILE* log = nullptr;  // the child's standard error
};

Child start_cradled(const std::filesystem::path& config, bool exit_when_idle) {
    int fds[2];
    if (::pipe(fds) != 0) throw std::runtime_error("pipe failed");
    std::string binary = cradled_demo_binary();
    pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        ::dup2(fds[1], STDERR_FILENO);
        ::close(fds[0]);
        ::close(fds[1]);
        if (exit_when_idle) {
            ::execl(binary.c_str(), "cradled", "--config", config.c_str(), "--bus", "none",
                    "--exit-when-idle", static_cast<char*>(nullptr));
        } else {
            ::execl(binary.c_str(), "cradled", "--config", config.c_str(), "--bus", "none",
                    static_cast<char*>(nullptr));
        }
        ::_exit(127);
    }
    ::close(fds[1]);
    return Child{pid, ::fdopen(fds[0], "r")};
}

int wait_for(Child& child) {
    // Drain the log so the child never blocks on a full pipe.
    char line[4096];
    while (std::fgets(line, sizeof line, child.log) != nullptr) {
    }
    std::fclose(child.log);
    int status = 0;
    ::waitpid(child.pid, &status, 0);
    return status;
}

TEST(Sigterm, MidOffloadStopsCleanlyAndTheNextStartFinishes) {
    Rig rig(2, 4, 8 << 20);
    for (auto& camera : rig.spec.cameras) camera.faults.throttle_bytes_per_s = 16'000'000;
    auto config = write_daemon_config(rig);
    rig.provision();

    Child child = start_cradled(config, /*exit_when_idle=*/false);
    // Wait for the first verified copy, then stop the daemon in the middle of the next ones.
    char line[4096];
    bool archived = false;
    while (!archived && std::fgets(line, sizeof line, child.log) != nullptr) {
        archived = std::string(line).find("archived and verified") != std::string::npos;
    }
    ASSERT_TRUE(archived) << "cradled ended before archiving anything";
    ::kill(child.pid, SIGTERM);
    int status = wait_for(child);
    ASSERT_TRUE(WIFEXITED(status)) << "status " << status;
    EXPECT_EQ(WEXITSTATUS(status), 0);

    EXPECT_EQ(join_problems(rig.invariant_problems()), "");
    EXPECT_FALSE(rig.not_archived_and_wiped().empty()) << "the stop came too late to test";

    Child again = start_cradled(config, /*exit_when_idle=*/true);
    status = wait_for(again);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status;
    EXPECT_EQ(join_problems(rig.invariant_problems()), "");
    EXPECT_EQ(join_problems(rig.not_archived_and_wiped()), "");
}

}  // namespace
}  // namespace cradle::test
