// SPDX-License-Identifier: Apache-2.0
// Rows of the catalog that the service writes and never reads back (health checks, clock syncs,
// the readiness history), read for the tests through the catalog's read snapshot, as stored.
#pragma once

#include "core/catalog/catalog.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace cradle::test {

// Every health check, oldest first.
std::vector<HealthCheckRow> health_checks(const Catalog& catalog);
// Every clock sync, oldest first.
std::vector<ClockSyncRow> clock_syncs(const Catalog& catalog);
// The readiness verdicts of one device, oldest first (by time, then as written).
std::vector<ReadinessRow> readiness_history(const Catalog& catalog, const std::string& serial);
// The device's latest verdict; nullopt when it has none.
std::optional<ReadinessRow> latest_readiness(const Catalog& catalog, const std::string& serial);

// The catalog of a state directory opened as the daemon opens it: its audit rows signed with the
// state's key (adopt_signing_key), so that what a test writes in the daemon's stead verifies.
Catalog signed_catalog(const std::filesystem::path& state_dir);

}  // namespace cradle::test
