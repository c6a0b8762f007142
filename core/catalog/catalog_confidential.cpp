// SPDX-License-Identifier: Apache-2.0
// Confidentiality marks (schema 8, Art. 19): a device or one recording marked confidential, or
// the mark taken back, each a row of the append-only table with its audit entry. The latest
// row of a target is its state.
#include "core/catalog/catalog_internal.hpp"

#include <string>

namespace cradle {

using namespace catalog_detail;
using sqlite::Query;
using sqlite::Transaction;

namespace {

// The audit entry's detail: "by=...; reason=...".
std::string mark_detail(const std::string& changed_by, const std::string& reason) {
    return "by=" + sanitize_text(changed_by) + "; reason=" + reason;
}

}  // namespace

bool Catalog::mark_device_confidential(const std::string& serial, bool confidential,
                                       const std::string& reason, std::int64_t now,
                                       const std::string& changed_by) {
    const std::string clean_serial = sanitize_text(serial, kMaxIdentityBytes);
    const std::string clean_reason = sanitize_text(reason, kMaxDetailBytes);
    const std::string doing = std::string(confidential ? "marking" : "unmarking") + " device " +
                              clean_serial + " confidential";
    if (clean_reason.empty()) db().fail(doing, "a reason is required");
    Transaction transaction(db(), doing);
    const std::optional<DeviceRow> device = find_device(clean_serial);
    if (!device) db().fail(doing, "no such device");
    if ((confidential_marks().devices.count(device->id) != 0) == confidential) {
        transaction.commit();
        return false;
    }
    Query(db(),
          "INSERT INTO confidential_marks (device_id, confidential, reason, at, changed_by) "
          "VALUES (?, ?, ?, ?, ?)",
          doing)
        .bind(device->id, static_cast<int>(confidential), clean_reason, now,
              sanitize_text(changed_by))
        .run();
    append_audit(
        AuditEvent{confidential ? "device.marked_confidential" : "device.unmarked_confidential", 0,
                   clean_serial, 0, mark_detail(changed_by, clean_reason)},
        now, doing);
    transaction.commit();
    return true;
}

bool Catalog::mark_recording_confidential(std::int64_t recording_id, bool confidential,
                                          const std::string& reason, std::int64_t now,
                                          const std::string& changed_by) {
    const std::string clean_reason = sanitize_text(reason, kMaxDetailBytes);
    const std::string doing = std::string(confidential ? "marking" : "unmarking") + " recording " +
                              std::to_string(recording_id) + " confidential";
    if (clean_reason.empty()) db().fail(doing, "a reason is required");
    Transaction transaction(db(), doing);
    const std::optional<RecordingRow> row = recording(recording_id);
    if (!row) db().fail(doing, "no such recording");
    if ((confidential_marks().recordings.count(recording_id) != 0) == confidential) {
        transaction.commit();
        return false;
    }
    Query(db(),
          "INSERT INTO confidential_marks (recording_id, confidential, reason, at, changed_by) "
          "VALUES (?, ?, ?, ?, ?)",
          doing)
        .bind(recording_id, static_cast<int>(confidential), clean_reason, now,
              sanitize_text(changed_by))
        .run();
    std::string serial;
    for (const DeviceRow& device : devices()) {
        if (device.id == row->key.device_id) serial = device.serial;
    }
    append_audit(AuditEvent{confidential ? "recording.marked_confidential"
                                         : "recording.unmarked_confidential",
                            0, serial, recording_id, mark_detail(changed_by, clean_reason)},
                 now, doing);
    transaction.commit();
    return true;
}

void Catalog::replay_confidential_marks(const std::vector<AuditRow>& audit,
                                        const std::string& doing) {
    for (const AuditRow& row : audit) {
        const bool on_device = row.event == "device.marked_confidential" ||
                               row.event == "device.unmarked_confidential";
        const bool on_recording = row.event == "recording.marked_confidential" ||
                                  row.event == "recording.unmarked_confidential";
        if (!on_device && !on_recording) continue;
        const bool confidential = row.event.find(".marked_") != std::string::npos;
        // mark_detail's "by=<who>; reason=<why>".
        std::string by;
        std::string reason = row.detail;
        const std::size_t split = row.detail.find("; reason=");
        if (row.detail.rfind("by=", 0) == 0 && split != std::string::npos) {
            by = row.detail.substr(3, split - 3);
            reason = row.detail.substr(split + 9);
        }
        if (on_device) {
            const std::optional<DeviceRow> device = find_device(row.device_serial);
            if (!device) continue;
            Query(db(),
                  "INSERT INTO confidential_marks (device_id, confidential, reason, at, "
                  "changed_by) VALUES (?, ?, ?, ?, ?)",
                  doing)
                .bind(device->id, static_cast<int>(confidential), reason, row.at, by)
                .run();
        } else {
            if (!recording(row.recording_id)) continue;
            Query(db(),
                  "INSERT INTO confidential_marks (recording_id, confidential, reason, at, "
                  "changed_by) VALUES (?, ?, ?, ?, ?)",
                  doing)
                .bind(row.recording_id, static_cast<int>(confidential), reason, row.at, by)
                .run();
        }
    }
}

ConfidentialMarks Catalog::confidential_marks() const {
    // The latest row of each target says whether it is marked.
    Query query(db(),
                "SELECT device_id, recording_id, confidential FROM confidential_marks "
                "WHERE id IN (SELECT max(id) FROM confidential_marks "
                "GROUP BY device_id, recording_id)",
                "reading the confidentiality marks");
    ConfidentialMarks marks;
    while (query.step()) {
        if (query.integer(2) == 0) continue;
        if (!query.is_null(0)) marks.devices.insert(query.integer(0));
        if (!query.is_null(1)) marks.recordings.insert(query.integer(1));
    }
    return marks;
}

}  // namespace cradle
