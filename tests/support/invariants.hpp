// SPDX-License-Identifier: Apache-2.0
// The single invariant checker of the fault tests (I1-I3 of docs/architecture.md, "Invariants").
// After any run, however it ended, it asserts:
//  - every recording an emulated camera held at the start is still on that camera with its
//    original bytes, or archived with its original SHA-256 (never neither);
//  - verify_state() finds no problem (no duplicate rows, no staging leftovers, no orphans,
//    archive files re-hash to the catalog, audit chain intact);
//  - nothing was written outside the state directory: every other file under `root` is as it
//    was, except recordings that the cameras deleted after archival.
#pragma once

#include "sim/spec.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace cradle::test {

struct OriginalRecording {
    std::string serial;
    std::string name;
    std::uint64_t size = 0;
    std::int64_t captured_unix_s = 0;
    std::string sha256_hex;
    std::filesystem::path camera_dir;  // the storage of the camera that held it
};

struct Snapshot {
    std::vector<OriginalRecording> recordings;                         // what the cameras hold
    std::map<std::filesystem::path, std::string> files_outside_state;  // path -> sha256
};

// Records what the cameras of `spec` hold and every file under `root` outside `state_dir`.
Snapshot take_snapshot(const hw::sim::CradleSpec& spec, const std::filesystem::path& root,
                       const std::filesystem::path& state_dir);

// Returns the problems found (empty = all invariants hold). Without state verification only
// losses, alterations and writes outside the state directory count: what must hold even
// before start-up recovery has run.
std::vector<std::string> check_invariants(const Snapshot& before, const hw::sim::CradleSpec& spec,
                                          const std::filesystem::path& root,
                                          const std::filesystem::path& state_dir,
                                          bool with_state_verification = true);

// One line per camera of `spec` that still holds recordings (empty = every camera is empty).
std::vector<std::string> recordings_left_on_cameras(const hw::sim::CradleSpec& spec);

}  // namespace cradle::test
