// SPDX-License-Identifier: Apache-2.0
// The register: devices as they were seen and registered, each change of an entry with its
// history row and audit row, retirement, and the entries of the configuration file.
#include "core/catalog/catalog_internal.hpp"
#include "core/catalog/register_entries.hpp"

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace cradle {

using namespace catalog_detail;
using sqlite::Query;
using sqlite::Transaction;

DeviceRow Catalog::upsert_device(const std::string& serial, const std::string& manufacturer,
                                 const std::string& model, const std::string& firmware,
                                 std::int64_t now) {
    std::string clean_serial = sanitize_text(serial, kMaxIdentityBytes);
    std::string doing = "recording a sighting of device " + clean_serial;
    if (clean_serial.empty()) db().fail(doing, "the serial is empty");
    Transaction transaction(db(), doing);
    Query(db(),
          "INSERT INTO devices (serial, manufacturer, model, firmware, first_seen, last_seen) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?5) "
          "ON CONFLICT (serial) DO UPDATE SET manufacturer = excluded.manufacturer, "
          "model = excluded.model, firmware = excluded.firmware, "
          "first_seen = CASE WHEN devices.first_seen = 0 THEN excluded.first_seen "
          "ELSE devices.first_seen END, "
          "last_seen = excluded.last_seen",
          doing)
        .bind(clean_serial, sanitize_text(manufacturer, kMaxIdentityBytes),
              sanitize_text(model, kMaxIdentityBytes), sanitize_text(firmware, kMaxIdentityBytes),
              now)
        .run();
    auto row = find_device(clean_serial);
    transaction.commit();
    if (!row) db().fail(doing, "the row vanished after it was written");
    return *row;
}

std::optional<DeviceRow> Catalog::find_device(const std::string& serial) const {
    std::string clean_serial = sanitize_text(serial, kMaxIdentityBytes);
    Query query(
        db(),
        "SELECT id, serial, manufacturer, model, firmware, registered, custodian, "
        "officer, head, first_seen, last_seen, retired, retired_at FROM devices WHERE serial = ?",
        "looking up device " + clean_serial);
    query.bind(clean_serial);
    if (!query.step()) return std::nullopt;
    return read_device(query);
}

std::vector<DeviceRow> Catalog::devices() const {
    Query query(
        db(),
        "SELECT id, serial, manufacturer, model, firmware, registered, custodian, "
        "officer, head, first_seen, last_seen, retired, retired_at FROM devices ORDER BY serial",
        "listing devices");
    std::vector<DeviceRow> rows;
    while (query.step()) rows.push_back(read_device(query));
    return rows;
}

std::vector<DeviceRow> Catalog::devices_after(const std::string& after, std::uint32_t count) const {
    Query query(db(),
                "SELECT id, serial, manufacturer, model, firmware, registered, custodian, "
                "officer, head, first_seen, last_seen, retired, retired_at FROM devices "
                "WHERE serial > ?1 ORDER BY serial LIMIT ?2",
                "listing devices");
    query.bind(after, static_cast<std::int64_t>(count));
    std::vector<DeviceRow> rows;
    while (query.step()) rows.push_back(read_device(query));
    return rows;
}

DeviceRow Catalog::register_device(const std::string& serial, const std::string& custodian,
                                   const std::string& officer, const std::string& head,
                                   std::int64_t now, const std::string& changed_by,
                                   const std::string& reason) {
    std::string clean_serial = sanitize_text(serial, kMaxIdentityBytes);
    std::string clean_custodian = sanitize_text(custodian, kMaxIdentityBytes);
    std::string clean_officer = sanitize_text(officer, kMaxIdentityBytes);
    std::string clean_head = sanitize_text(head, kMaxIdentityBytes);
    std::string doing = "registering device " + clean_serial;
    if (clean_serial.empty()) db().fail(doing, "the serial is empty");

    Transaction transaction(db(), doing);
    DeviceRow row = register_in_transaction(clean_serial, clean_custodian, clean_officer,
                                            clean_head, now, changed_by, doing, reason);
    transaction.commit();
    return row;
}

DeviceRow Catalog::register_in_transaction(const std::string& clean_serial,
                                           const std::string& clean_custodian,
                                           const std::string& clean_officer,
                                           const std::string& clean_head, std::int64_t now,
                                           const std::string& changed_by, const std::string& doing,
                                           const std::string& reason) {
    auto existing = find_device(clean_serial);
    // Setting an entry to what it already is is no change and no audited event.
    if (existing && existing->registered && !existing->retired &&
        existing->custodian == clean_custodian && existing->officer == clean_officer &&
        existing->head == clean_head) {
        return *existing;
    }
    std::string action = "changed";
    if (!existing || !existing->registered) {
        action = "registered";
    } else if (existing->retired) {
        action = "reinstated";
    } else if (existing->custodian == clean_custodian && existing->head == clean_head) {
        action = "reassigned";
    }
    Query(db(),
          "INSERT INTO devices (serial, registered, custodian, officer, head) "
          "VALUES (?, 1, ?, ?, ?) "
          "ON CONFLICT (serial) DO UPDATE SET registered = 1, custodian = excluded.custodian, "
          "officer = excluded.officer, head = excluded.head, retired = 0, retired_at = 0",
          doing)
        .bind(clean_serial, clean_custodian, clean_officer, clean_head)
        .run();
    const std::string clean_by = sanitize_text(changed_by);
    const std::string clean_reason = sanitize_text(reason, kMaxDetailBytes);
    append_audit(AuditEvent{std::string(kDeviceRegisteredEvent), 0, clean_serial, 0,
                            registration_detail(clean_custodian, clean_officer, clean_head,
                                                clean_by, action == "reinstated", clean_reason)},
                 now, doing);
    DeviceHistoryRow history;
    history.serial = clean_serial;
    history.at = now;
    history.action = action;
    history.custodian = clean_custodian;
    history.officer = clean_officer;
    history.head = clean_head;
    if (existing && existing->registered) {
        history.previous_custodian = existing->custodian;
        history.previous_officer = existing->officer;
        history.previous_head = existing->head;
    }
    history.changed_by = clean_by;
    history.reason = clean_reason;
    append_history(history, doing);
    auto row = find_device(clean_serial);
    if (!row) db().fail(doing, "the row vanished after it was written");
    return *row;
}

void Catalog::append_history(const DeviceHistoryRow& row, const std::string& doing) {
    Query(db(),
          "INSERT INTO device_history (serial, at, action, custodian, officer, head, "
          "previous_custodian, previous_officer, previous_head, changed_by, reason) "
          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
          doing)
        .bind(row.serial, row.at, row.action, row.custodian, row.officer, row.head,
              row.previous_custodian, row.previous_officer, row.previous_head, row.changed_by,
              row.reason)
        .run();
}

DeviceRow Catalog::assign_officer(const std::string& serial, const std::string& officer,
                                  std::int64_t now, const std::string& changed_by,
                                  const std::string& reason) {
    std::string clean_serial = sanitize_text(serial, kMaxIdentityBytes);
    std::string clean_officer = sanitize_text(officer, kMaxIdentityBytes);
    std::string doing = "assigning device " + clean_serial;
    if (clean_officer.empty()) db().fail(doing, "the officer is empty");
    Transaction transaction(db(), doing);
    auto existing = find_device(clean_serial);
    if (!existing) db().fail(doing, "no such device");
    if (!existing->registered) db().fail(doing, "the device is not registered");
    DeviceRow row = register_in_transaction(clean_serial, existing->custodian, clean_officer,
                                            existing->head, now, changed_by, doing, reason);
    transaction.commit();
    return row;
}

DeviceRow Catalog::retire_device(const std::string& serial, const std::string& reason,
                                 std::int64_t now, const std::string& changed_by) {
    std::string clean_serial = sanitize_text(serial, kMaxIdentityBytes);
    std::string clean_reason = sanitize_text(reason, kMaxDetailBytes);
    std::string doing = "retiring device " + clean_serial;
    if (clean_reason.empty()) db().fail(doing, "a reason is required");
    Transaction transaction(db(), doing);
    auto existing = find_device(clean_serial);
    if (!existing) db().fail(doing, "no such device");
    if (existing->retired) {
        transaction.commit();
        return *existing;
    }
    Query(db(), "UPDATE devices SET retired = 1, retired_at = ? WHERE serial = ?", doing)
        .bind(now, clean_serial)
        .run();
    const std::string clean_by = sanitize_text(changed_by);
    append_audit(AuditEvent{std::string(kDeviceRetiredEvent), 0, clean_serial, 0,
                            retirement_detail(clean_by, clean_reason)},
                 now, doing);
    DeviceHistoryRow history;
    history.serial = clean_serial;
    history.at = now;
    history.action = "retired";
    // A retired entry keeps its names: the report says whose camera it was.
    history.custodian = history.previous_custodian = existing->custodian;
    history.officer = history.previous_officer = existing->officer;
    history.head = history.previous_head = existing->head;
    history.changed_by = clean_by;
    history.reason = clean_reason;
    append_history(history, doing);
    auto row = find_device(clean_serial);
    transaction.commit();
    if (!row) db().fail(doing, "the row vanished after it was written");
    return *row;
}

namespace {
// The register's changes the filter picks, by time then id: after `after` when given, at most
// `limit` (negative: all).
std::vector<DeviceHistoryRow> read_history(sqlite::Connection& db, const std::string& serial,
                                           std::int64_t from, std::int64_t to,
                                           std::optional<TimeKey> after, std::int64_t limit) {
    std::string clean_serial = sanitize_text(serial, kMaxIdentityBytes);
    Query query(db,
                "SELECT id, serial, at, action, custodian, officer, head, previous_custodian, "
                "previous_officer, previous_head, changed_by, reason FROM device_history "
                "WHERE (?1 = '' OR serial = ?1) AND (?2 = 0 OR at >= ?2) AND (?3 = 0 OR at <= ?3) "
                "AND (?4 = 0 OR (at, id) > (?5, ?6)) ORDER BY at, id LIMIT ?7",
                "reading the register's history");
    query.bind(clean_serial, from, to, static_cast<std::int64_t>(after.has_value()),
               after ? after->time : 0, after ? after->id : 0, limit);
    std::vector<DeviceHistoryRow> rows;
    while (query.step()) {
        DeviceHistoryRow row;
        row.id = query.integer(0);
        row.serial = query.text(1);
        row.at = query.integer(2);
        row.action = query.text(3);
        row.custodian = query.text(4);
        row.officer = query.text(5);
        row.head = query.text(6);
        row.previous_custodian = query.text(7);
        row.previous_officer = query.text(8);
        row.previous_head = query.text(9);
        row.changed_by = query.text(10);
        row.reason = query.text(11);
        rows.push_back(std::move(row));
    }
    return rows;
}
}  // namespace

std::vector<DeviceHistoryRow> Catalog::device_history(const std::string& serial, std::int64_t from,
                                                      std::int64_t to) const {
    return read_history(db(), serial, from, to, std::nullopt, -1);
}

std::vector<DeviceHistoryRow> Catalog::device_history_after(const std::string& serial,
                                                            std::int64_t from, std::int64_t to,
                                                            std::optional<TimeKey> after,
                                                            std::uint32_t count) const {
    return read_history(db(), serial, from, to, after, count);
}

bool Catalog::apply_configured_registration(const std::string& serial, const std::string& custodian,
                                            const std::string& officer, const std::string& head,
                                            std::int64_t now) {
    const std::string clean_serial = sanitize_text(serial, kMaxIdentityBytes);
    const std::string clean_custodian = sanitize_text(custodian, kMaxIdentityBytes);
    const std::string clean_officer = sanitize_text(officer, kMaxIdentityBytes);
    const std::string clean_head = sanitize_text(head, kMaxIdentityBytes);
    const std::string doing = "applying the configured register entry of " + clean_serial;
    if (clean_serial.empty()) db().fail(doing, "the serial is empty");
    Transaction transaction(db(), doing);
    Query last(db(),
               "SELECT 1 FROM register_from_configuration WHERE serial = ? AND custodian = ? "
               "AND officer = ? AND head = ?",
               doing);
    last.bind(clean_serial, clean_custodian, clean_officer, clean_head);
    if (last.step()) {
        transaction.commit();
        return false;
    }
    Query(db(),
          "INSERT INTO register_from_configuration (serial, custodian, officer, head) "
          "VALUES (?, ?, ?, ?) ON CONFLICT (serial) DO UPDATE SET custodian = excluded.custodian, "
          "officer = excluded.officer, head = excluded.head",
          doing)
        .bind(clean_serial, clean_custodian, clean_officer, clean_head)
        .run();
    register_in_transaction(clean_serial, clean_custodian, clean_officer, clean_head, now,
                            "configuration", doing);
    transaction.commit();
    return true;
}

std::int64_t Catalog::device_id_of(const std::string& clean_serial,
                                   const std::string& doing) const {
    Query device(db(), "SELECT id FROM devices WHERE serial = ?", doing);
    device.bind(clean_serial);
    if (!device.step()) db().fail(doing, "no such device");
    return device.integer(0);
}

}  // namespace cradle
