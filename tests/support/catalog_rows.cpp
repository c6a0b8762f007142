// SPDX-License-Identifier: Apache-2.0
#include "tests/support/catalog_rows.hpp"

#include "core/catalog/signing_identity.hpp"
#include "core/catalog/sqlite.hpp"

namespace cradle::test {

Catalog signed_catalog(const std::filesystem::path& state_dir) {
    Catalog catalog(state_dir / "catalog.sqlite");
    adopt_signing_key(catalog, state_dir, 1'700'000'000);
    return catalog;
}

namespace {

ReadinessRow read_readiness(const sqlite::Query& query) {
    ReadinessRow row;
    row.serial = query.text(0);
    row.dock_session_id = query.is_null(1) ? 0 : query.integer(1);
    row.at = query.integer(2);
    row.ready = query.integer(3) != 0;
    row.verdict = query.text(4);
    return row;
}

}  // namespace

std::vector<HealthCheckRow> health_checks(const Catalog& catalog) {
    sqlite::ReadSnapshot snapshot = catalog.read_snapshot("listing health checks");
    sqlite::Query query = snapshot.query(
        "SELECT dock_session_id, at, battery_percent, charging, faults, storage_total_bytes, "
        "storage_free_bytes FROM health_checks ORDER BY id");
    std::vector<HealthCheckRow> rows;
    while (query.step()) {
        HealthCheckRow row;
        row.dock_session_id = query.integer(0);
        row.at = query.integer(1);
        row.battery_percent = static_cast<int>(query.integer(2));
        row.charging = query.integer(3) != 0;
        row.faults = query.text(4);
        row.storage_total_bytes = static_cast<std::uint64_t>(query.integer(5));
        row.storage_free_bytes = static_cast<std::uint64_t>(query.integer(6));
        rows.push_back(std::move(row));
    }
    return rows;
}

std::vector<ClockSyncRow> clock_syncs(const Catalog& catalog) {
    sqlite::ReadSnapshot snapshot = catalog.read_snapshot("listing clock syncs");
    sqlite::Query query = snapshot.query(
        "SELECT dock_session_id, at, drift_ms, corrected, note FROM clock_syncs ORDER BY id");
    std::vector<ClockSyncRow> rows;
    while (query.step()) {
        ClockSyncRow row;
        row.dock_session_id = query.integer(0);
        row.at = query.integer(1);
        row.drift_ms = query.integer(2);
        row.corrected = query.integer(3) != 0;
        row.note = query.text(4);
        rows.push_back(std::move(row));
    }
    return rows;
}

std::vector<ReadinessRow> readiness_history(const Catalog& catalog, const std::string& serial) {
    const std::string clean_serial = sanitize_text(serial);
    sqlite::ReadSnapshot snapshot =
        catalog.read_snapshot("reading the readiness history of device " + clean_serial);
    sqlite::Query query = snapshot.query(
        "SELECT d.serial, r.dock_session_id, r.at, r.ready, r.verdict FROM readiness r "
        "JOIN devices d ON d.id = r.device_id WHERE d.serial = ? ORDER BY r.at, r.id");
    query.bind(clean_serial);
    std::vector<ReadinessRow> rows;
    while (query.step()) rows.push_back(read_readiness(query));
    return rows;
}

std::optional<ReadinessRow> latest_readiness(const Catalog& catalog, const std::string& serial) {
    std::vector<ReadinessRow> history = readiness_history(catalog, serial);
    if (history.empty()) return std::nullopt;
    return history.back();
}

}  // namespace cradle::test
