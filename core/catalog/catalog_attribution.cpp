// SPDX-License-Identifier: Apache-2.0
// Whose footage a recording is: the officer the register assigned the camera to at the capture
// time, and whether the officer ID the camera reported names someone else.
#include "core/catalog/catalog_internal.hpp"

#include "common/text.hpp"

#include <cstdint>
#include <string>

namespace cradle {

using namespace catalog_detail;
using sqlite::Query;

std::string Catalog::officer_at(std::int64_t device_id, std::int64_t at,
                                const std::string& doing) const {
    Query device(db(), "SELECT serial, registered, officer FROM devices WHERE id = ?", doing);
    device.bind(device_id);
    // An unknown device fails at the insert, on its foreign key.
    if (!device.step()) return "";
    const std::string serial = device.text(0);
    const bool registered = device.integer(1) != 0;
    const std::string current_officer = device.text(2);
    {
        Query valid(db(),
                    "SELECT officer FROM device_history WHERE serial = ? AND at <= ? "
                    "ORDER BY at DESC, id DESC LIMIT 1",
                    doing);
        valid.bind(serial, at);
        if (valid.step()) return valid.text(0);
    }
    Query earliest(db(),
                   "SELECT action, previous_officer FROM device_history WHERE serial = ? "
                   "ORDER BY at, id LIMIT 1",
                   doing);
    earliest.bind(serial);
    if (earliest.step()) {
        // History began after the capture. Its first row says what the entry was before it,
        // unless that row is the first registration (then there was no entry).
        return earliest.text(0) == "registered" ? "" : earliest.text(1);
    }
    // Registered before the register kept history (schema 3): the entry as it is now is the
    // best knowledge there is.
    return registered ? current_officer : "";
}

bool Catalog::names_other_officer(const std::string& officer, const std::string& camera_officer_id,
                                  const std::string& doing) const {
    // An officer is named by a badge or a name; either compares as a badge does (badge_key).
    const std::string officer_form = badge_key(officer);
    if (officer_form == badge_key(camera_officer_id)) return false;
    // The roster maps the camera's ID to a name; IDs compare ignoring case (the column's
    // collation), names through badge_key too.
    Query by_badge(db(), "SELECT name FROM officers WHERE badge = ?", doing);
    by_badge.bind(trimmed(camera_officer_id));
    bool id_known = false;
    while (by_badge.step()) {
        id_known = true;
        if (badge_key(by_badge.text(0)) == officer_form) return false;
    }
    if (id_known) return true;
    // An ID the roster does not know names another officer only if the officer is in the
    // roster (under another badge); otherwise nothing says who the ID is.
    Query by_officer(
        db(), "SELECT badge, name FROM officers WHERE badge = ? OR name = ? COLLATE NOCASE", doing);
    by_officer.bind(trimmed(officer), trimmed(officer));
    while (by_officer.step()) {
        if (badge_key(by_officer.text(0)) == officer_form ||
            badge_key(by_officer.text(1)) == officer_form) {
            return true;
        }
    }
    return false;
}

}  // namespace cradle
