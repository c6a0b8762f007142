// SPDX-License-Identifier: Apache-2.0
// Readiness verdicts, kept per device over time: at the end of each dock, and again when a
// reading taken while the camera stays in its bay changes it.
#include "core/catalog/catalog_internal.hpp"

#include <optional>
#include <string>
#include <vector>

namespace cradle {

using namespace catalog_detail;
using sqlite::Query;
using sqlite::Transaction;

void Catalog::add_readiness(const ReadinessRow& row) {
    const std::string clean_serial = sanitize_text(row.serial, kMaxIdentityBytes);
    const std::string doing = "recording the readiness of device " + clean_serial;
    insert_readiness(device_id_of(clean_serial, doing), row.dock_session_id, row.at, row.ready,
                     row.verdict, doing);
}

void Catalog::record_recheck(const HealthCheckRow& health, const ReadinessRow& readiness,
                             const AuditEvent& audit, std::int64_t now) {
    const std::string clean_serial = sanitize_text(readiness.serial, kMaxIdentityBytes);
    const std::string doing = "recording the rechecked readiness of device " + clean_serial;
    Transaction transaction(db(), doing);
    const std::int64_t device_id = device_id_of(clean_serial, doing);
    HealthCheckRow reading = health;
    reading.at = now;
    insert_health_check(reading, doing);
    insert_readiness(device_id, readiness.dock_session_id, now, readiness.ready, readiness.verdict,
                     doing);
    append_audit(audit, now, doing);
    transaction.commit();
}

void Catalog::insert_readiness(std::int64_t device_id, std::int64_t dock_session_id,
                               std::int64_t at, bool ready, const std::string& verdict,
                               const std::string& doing) {
    // No dock (0) is stored as NULL, so the foreign key holds.
    std::optional<std::int64_t> dock;
    if (dock_session_id != 0) dock = dock_session_id;
    Query(db(),
          "INSERT INTO readiness (device_id, dock_session_id, at, ready, verdict) "
          "VALUES (?, ?, ?, ?, ?)",
          doing)
        .bind(device_id, dock, at, ready ? 1 : 0, sanitize_text(verdict, kMaxOutcomeBytes))
        .run();
}

}  // namespace cradle
