// SPDX-License-Identifier: Apache-2.0
// The service run in a child process that may be killed outright (SIGKILL) at a chosen
// file-system or device operation, with an optional storage fault: what a crash of the real
// daemon leaves behind, for the SIGKILL tests and the fault campaign (scripts/chaos).
#pragma once

#include "tests/faults/rig.hpp"
#include "tests/support/faulty_fs.hpp"

#include <optional>

namespace cradle::test {

struct KillPoint {
    int fs_op = 0;      // 0 = none
    int device_op = 0;  // 0 = none
};

struct StorageFault {
    int op = 0;  // the file-system operation that fails (1-based)
    int error = 0;
    FaultyFileSystem::Mode mode = FaultyFileSystem::Mode::once;
};

struct ChildRun {
    enum class End { finished, killed, failed };
    End end = End::failed;
    int status = 0;      // waitpid's
    int fs_ops = 0;      // operations counted, when the child finished
    int device_ops = 0;  // of the last camera attached
};

// Runs the rig's service (rig.spec, rig.config) until idle in a child process, killed at
// `point`, with `fault` injected. A child that finishes reports its operation counts; one whose
// service throws (it refused to start) ends `failed`.
ChildRun run_child(const Rig& rig, KillPoint point = {},
                   std::optional<StorageFault> fault = std::nullopt);

}  // namespace cradle::test
