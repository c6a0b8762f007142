// SPDX-License-Identifier: Apache-2.0
#include "tests/support/another_user.hpp"

#include <grp.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

namespace cradle::test {

namespace fs = std::filesystem;

ProgramsForAnotherUser::ProgramsForAnotherUser() {
    // Under /tmp itself, not $TMPDIR: that may be as private as the build tree.
    std::string pattern = "/tmp/cradled-programs-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) {
        throw std::runtime_error(std::string("mkdtemp under /tmp: ") + std::strerror(errno));
    }
    dir_ = pattern;
    fs::permissions(dir_, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                              fs::perms::others_read | fs::perms::others_exec);
}

ProgramsForAnotherUser::~ProgramsForAnotherUser() {
    // dir_ is the directory mkdtemp made for this object: it holds only the copies made here.
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
}

fs::path ProgramsForAnotherUser::copy_of(const fs::path& program) {
    if (auto known = copies_.find(program); known != copies_.end()) return known->second;
    const fs::path copy = dir_ / program.filename();
    fs::copy_file(program, copy, fs::copy_options::overwrite_existing);
    fs::permissions(copy, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                              fs::perms::others_read | fs::perms::others_exec);
    copies_.emplace(program, copy);
    return copy;
}

std::string unreachable_for(uid_t uid, gid_t gid, const fs::path& path, int access_mode) {
    const pid_t child = ::fork();
    if (child < 0) return std::string("fork: ") + std::strerror(errno);
    if (child == 0) {
        if (::setgroups(0, nullptr) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0) {
            ::_exit(2);
        }
        ::_exit(::access(path.c_str(), access_mode) == 0 ? 0 : 1);
    }
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return "";
    const std::string who = "uid " + std::to_string(uid);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 2) return "cannot drop to " + who;
    return who + " cannot reach " + path.string() +
           " (a directory on the way is closed to it; TMPDIR under a private home?)";
}

std::string why_not_the_unprivileged_caller() {
    if (::geteuid() != 0) return "needs root to act as another uid";
    return unreachable_for(kUnprivilegedUid, kUnprivilegedGid, fs::temp_directory_path(), X_OK);
}

}  // namespace cradle::test
