// SPDX-License-Identifier: Apache-2.0
// What a test needs to run a program as another user (the unprivileged caller, uid 65534).
//
// A clone of the project may sit where that user cannot go (in a home directory of mode 0700),
// and with it the build tree and its programs. So the program is not run from there: it is
// copied into a fresh directory under /tmp that everyone may search, removed with it. What the
// user must reach besides (the private bus's socket, in the test's temporary directory) is
// checked first, so that a test can skip saying why rather than fail for the machine's layout.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <string>

namespace cradle::test {

inline constexpr uid_t kUnprivilegedUid = 65534;  // "nobody" on Debian
inline constexpr gid_t kUnprivilegedGid = 65534;  // "nogroup"

class ProgramsForAnotherUser {
  public:
    // Creates the directory (/tmp/cradled-programs-XXXXXX, mode 0755).
    ProgramsForAnotherUser();
    ProgramsForAnotherUser(const ProgramsForAnotherUser&) = delete;
    ProgramsForAnotherUser& operator=(const ProgramsForAnotherUser&) = delete;
    // Removes the directory and the copies in it.
    ~ProgramsForAnotherUser();

    // A copy of `program` (mode 0755) in the directory, made on the first call for it.
    std::filesystem::path copy_of(const std::filesystem::path& program);

    const std::filesystem::path& dir() const { return dir_; }

  private:
    std::filesystem::path dir_;
    std::map<std::filesystem::path, std::filesystem::path> copies_;
};

// Why this test cannot act as the unprivileged caller on a private bus (tests/support/
// private_bus.hpp): it is not root, the only user that may drop to another, or the temporary
// directory that holds the bus's socket is closed to that caller. "" when it can.
std::string why_not_the_unprivileged_caller();

// Why `uid` (with group `gid` and no other) cannot open `path` for what `access_mode` asks
// (R_OK, W_OK, X_OK as for access(2)), or "" when it can. Checked in a child process that
// drops to that user, since only the kernel knows every directory on the way.
std::string unreachable_for(uid_t uid, gid_t gid, const std::filesystem::path& path,
                            int access_mode);

}  // namespace cradle::test
