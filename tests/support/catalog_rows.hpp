// SPDX-License-Identifier: Apache-2.0
// Rows of the catalog that the service writes and never reads back (health checks, clock syncs,
// the readiness history), read for the tests through the catalog's read snapshot, as stored.
#pragma once

#include "core/catalog/catalog.hpp"

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

}  // namespace cradle::test
