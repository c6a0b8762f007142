// SPDX-License-Identifier: Apache-2.0
// Dock sessions, and the health checks and clock syncs of each dock.
#include "core/catalog/catalog_internal.hpp"

#include <string>
#include <vector>

namespace cradle {

using namespace catalog_detail;
using sqlite::Query;
using sqlite::Transaction;

std::int64_t Catalog::begin_dock(std::int64_t device_id, int bay, std::int64_t now) {
    std::string doing =
        "recording device " + std::to_string(device_id) + " docked in bay " + std::to_string(bay);
    Transaction transaction(db(), doing);
    Query(db(), "INSERT INTO dock_sessions (device_id, bay, started_at) VALUES (?, ?, ?)", doing)
        .bind(device_id, bay, now)
        .run();
    std::int64_t id = db().last_insert_rowid();
    transaction.commit();
    return id;
}

void Catalog::end_dock(std::int64_t dock_id, std::int64_t now, const std::string& outcome) {
    std::string doing = "ending dock session " + std::to_string(dock_id);
    Transaction transaction(db(), doing);
    end_dock_in_transaction(dock_id, now, outcome, doing);
    transaction.commit();
}

void Catalog::end_dock_with_verdict(std::int64_t dock_id, std::int64_t now,
                                    const std::string& outcome, bool ready,
                                    const AuditEvent& audit) {
    std::string doing = "ending dock session " + std::to_string(dock_id) + " with its verdict";
    Transaction transaction(db(), doing);
    const std::int64_t device_id = end_dock_in_transaction(dock_id, now, outcome, doing);
    insert_readiness(device_id, dock_id, now, ready, outcome, doing);
    append_audit(audit, now, doing);
    transaction.commit();
}

std::int64_t Catalog::end_dock_in_transaction(std::int64_t dock_id, std::int64_t now,
                                              const std::string& outcome,
                                              const std::string& doing) {
    Query(db(),
          "UPDATE dock_sessions SET ended_at = ?, outcome = ? WHERE id = ? AND ended_at IS NULL",
          doing)
        .bind(now, sanitize_text(outcome, kMaxOutcomeBytes), dock_id)
        .run();
    const bool ended = db().changes() != 0;
    Query dock(db(), "SELECT device_id FROM dock_sessions WHERE id = ?", doing);
    dock.bind(dock_id);
    const bool exists = dock.step();
    if (!ended) {
        db().fail(doing, exists ? "it has already ended" : "there is no such dock session");
    }
    return dock.integer(0);
}

void Catalog::close_open_docks(std::int64_t now) {
    std::string doing = "closing dock sessions left open";
    Transaction transaction(db(), doing);
    Query(db(),
          "UPDATE dock_sessions SET ended_at = ?, outcome = 'interrupted' WHERE ended_at IS NULL",
          doing)
        .bind(now)
        .run();
    transaction.commit();
}

std::vector<DockSessionRow> Catalog::dock_sessions() const {
    Query query(db(),
                "SELECT id, device_id, bay, started_at, ended_at, outcome FROM dock_sessions "
                "ORDER BY id",
                "listing dock sessions");
    std::vector<DockSessionRow> rows;
    while (query.step()) {
        DockSessionRow row;
        row.id = query.integer(0);
        row.device_id = query.integer(1);
        row.bay = static_cast<int>(query.integer(2));
        row.started_at = query.integer(3);
        row.ended_at = query.is_null(4) ? 0 : query.integer(4);
        row.outcome = query.text(5);
        rows.push_back(std::move(row));
    }
    return rows;
}

void Catalog::add_health_check(const HealthCheckRow& row) {
    std::string doing =
        "recording a health check of dock session " + std::to_string(row.dock_session_id);
    insert_health_check(row, doing);
}

void Catalog::insert_health_check(const HealthCheckRow& row, const std::string& doing) {
    Query(db(),
          "INSERT INTO health_checks (dock_session_id, at, battery_percent, charging, faults, "
          "storage_total_bytes, storage_free_bytes) VALUES (?, ?, ?, ?, ?, ?, ?)",
          doing)
        .bind(row.dock_session_id, row.at, row.battery_percent, row.charging ? 1 : 0,
              sanitize_text(row.faults, kMaxDetailBytes),
              static_cast<std::int64_t>(row.storage_total_bytes),
              static_cast<std::int64_t>(row.storage_free_bytes))
        .run();
}

void Catalog::add_clock_sync(const ClockSyncRow& row) {
    std::string doing =
        "recording a clock sync of dock session " + std::to_string(row.dock_session_id);
    Query(db(),
          "INSERT INTO clock_syncs (dock_session_id, at, drift_ms, corrected, note) "
          "VALUES (?, ?, ?, ?, ?)",
          doing)
        .bind(row.dock_session_id, row.at, row.drift_ms, row.corrected ? 1 : 0,
              sanitize_text(row.note, kMaxDetailBytes))
        .run();
}

}  // namespace cradle
