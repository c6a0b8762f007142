// SPDX-License-Identifier: Apache-2.0
// The emulated cradle's file (etc/demo/cradle.toml): its bays and cameras, with their footage
// and faults, read as strictly as the configuration, and the [sim] section that names it.
#pragma once

#include "core/config/config.hpp"
#include "sim/spec.hpp"

#include <filesystem>

namespace cradle::hw::sim {

// The cradle of the [sim] section: its file read and validated, the cameras' storage at
// sim.storage_dir, or <state_dir>/sim-cameras when that is empty. Throws ConfigError.
CradleSpec load_sim_cradle(const SimConfig& sim, const std::filesystem::path& state_dir);

// The cradle file alone (storage_dir left empty).
CradleSpec load_cradle_file(const std::filesystem::path& file);

}  // namespace cradle::hw::sim
