// SPDX-License-Identifier: Apache-2.0
// The officers' roster: the IDs a camera may report about its wearer, their names and teams.
#include "core/catalog/catalog_internal.hpp"
#include "core/catalog/register_entries.hpp"

#include "common/text.hpp"

#include <algorithm>
#include <cctype>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace cradle {

using namespace catalog_detail;
using sqlite::Query;
using sqlite::Transaction;

namespace {

// Whether text shows nothing: only ASCII spaces and the Unicode spaces a roster typed in
// another script may hold (no-break, ideographic, the typographic spaces, zero width, BOM).
// Not common/text.hpp's is_blank_text, which counts ASCII white space only.
bool blank(std::string_view text) {
    static constexpr std::string_view kUnicodeSpaces[] = {
        "\xC2\xA0",     "\xE3\x80\x80", "\xE2\x80\x80", "\xE2\x80\x81",
        "\xE2\x80\x82", "\xE2\x80\x83", "\xE2\x80\x84", "\xE2\x80\x85",
        "\xE2\x80\x86", "\xE2\x80\x87", "\xE2\x80\x88", "\xE2\x80\x89",
        "\xE2\x80\x8A", "\xE2\x80\x8B", "\xE2\x80\xAF", "\xEF\xBB\xBF"};
    while (!text.empty()) {
        if (std::isspace(static_cast<unsigned char>(text.front())) != 0) {
            text.remove_prefix(1);
            continue;
        }
        auto space = std::find_if(std::begin(kUnicodeSpaces), std::end(kUnicodeSpaces),
                                  [&](std::string_view s) { return text.starts_with(s); });
        if (space == std::end(kUnicodeSpaces)) return false;
        text.remove_prefix(space->size());
    }
    return true;
}

}  // namespace

std::size_t Catalog::upsert_officers(const std::vector<OfficerRow>& officers, std::int64_t now,
                                     const std::string& changed_by) {
    const std::string doing = "updating the officers' roster";
    std::vector<OfficerRow> clean;
    clean.reserve(officers.size());
    // Each ID as the roster compares it, with the entry that first had it: one look-up per
    // entry, so that a roster of 100,000 officers is checked in linear time.
    std::unordered_map<std::string, std::size_t> first_with;
    first_with.reserve(officers.size());
    // Every entry is checked before anything is written: a bad line changes nothing.
    for (std::size_t i = 0; i < officers.size(); ++i) {
        OfficerRow row;
        row.badge = sanitize_text(trimmed(officers[i].badge), kMaxIdentityBytes);
        row.name = sanitize_text(trimmed(officers[i].name), kMaxIdentityBytes);
        row.team = sanitize_text(trimmed(officers[i].team), kMaxIdentityBytes);
        row.updated_at = now;
        if (blank(row.badge)) {
            db().fail(doing, "officer " + std::to_string(i + 1) +
                                 " of the list has a blank ID (badge): every officer needs one");
        }
        if (blank(row.name)) {
            db().fail(doing, "officer " + std::to_string(i + 1) + " of the list (ID " + row.badge +
                                 ") has a blank name: every officer needs one");
        }
        // The roster compares IDs ignoring case: two entries of one ID would leave whichever
        // came last, silently.
        const auto [first, inserted] = first_with.emplace(badge_key(row.badge), i);
        if (!inserted) {
            const std::size_t j = first->second;
            db().fail(doing, "officers " + std::to_string(j + 1) + " (ID " + clean[j].badge +
                                 ") and " + std::to_string(i + 1) + " (ID " + row.badge +
                                 ") of the list have the same ID (IDs ignore case and "
                                 "surrounding spaces): list each officer once");
        }
        clean.push_back(std::move(row));
    }
    const std::string clean_by = sanitize_text(changed_by);
    Transaction transaction(db(), doing);
    std::size_t changed = 0;
    for (const OfficerRow& row : clean) {
        Query existing(db(), "SELECT name, team FROM officers WHERE badge = ?", doing);
        existing.bind(row.badge);
        const bool known = existing.step();
        const std::string was_name = known ? existing.text(0) : "";
        const std::string was_team = known ? existing.text(1) : "";
        if (known && was_name == row.name && was_team == row.team) continue;
        Query(db(),
              "INSERT INTO officers (badge, name, team, updated_at) VALUES (?, ?, ?, ?) "
              "ON CONFLICT (badge) DO UPDATE SET name = excluded.name, team = excluded.team, "
              "updated_at = excluded.updated_at",
              doing)
            .bind(row.badge, row.name, row.team, now)
            .run();
        const std::optional<OfficerBefore> before =
            known ? std::optional<OfficerBefore>({was_name, was_team}) : std::nullopt;
        append_audit(
            AuditEvent{std::string(known ? kOfficerChangedEvent : kOfficerAddedEvent), 0, "", 0,
                       officer_detail(row.badge, row.name, row.team, before, clean_by)},
            now, doing);
        ++changed;
    }
    transaction.commit();
    return changed;
}

namespace {
// The roster by badge: those after `after`, at most `limit` (negative: all).
std::vector<OfficerRow> read_officers(sqlite::Connection& db, const std::string& after,
                                      std::int64_t limit) {
    Query query(db,
                "SELECT badge, name, team, updated_at FROM officers WHERE badge > ?1 "
                "ORDER BY badge LIMIT ?2",
                "listing the officers' roster");
    query.bind(after, limit);
    std::vector<OfficerRow> rows;
    while (query.step()) {
        OfficerRow row;
        row.badge = query.text(0);
        row.name = query.text(1);
        row.team = query.text(2);
        row.updated_at = query.integer(3);
        rows.push_back(std::move(row));
    }
    return rows;
}
}  // namespace

std::vector<OfficerRow> Catalog::officers() const {
    return read_officers(db(), "", -1);
}

std::vector<OfficerRow> Catalog::officers_after(const std::string& after,
                                                std::uint32_t count) const {
    return read_officers(db(), after, count);
}

}  // namespace cradle
