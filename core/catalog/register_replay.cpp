// SPDX-License-Identifier: Apache-2.0
#include "core/catalog/register_replay.hpp"

#include "core/catalog/register_entries.hpp"

#include "common/text.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <tuple>
#include <utility>

namespace cradle {

namespace {

std::string shown_value(std::string_view text) {
    return "'" + sanitize_text(text, 256) + "'";
}

std::string entry_name(const AuditRow& entry) {
    return "audit entry " + std::to_string(entry.seq);
}

std::string flag(bool value) {
    return value ? "1" : "0";
}

struct Names {
    std::string custodian;
    std::string officer;
    std::string head;
};

// What the log says of one device after the entries replayed so far.
struct DeviceState {
    bool registered = false;
    Names names;
    bool retired = false;
    std::int64_t retired_at = 0;
    const AuditRow* last = nullptr;  // the serial's latest register entry
};

// What the log says of one officer, by the ID as the roster compares it.
struct OfficerState {
    const AuditRow* added = nullptr;  // the row keeps the ID as this entry spelt it
    std::string badge;
    const AuditRow* last = nullptr;
    OfficerFields fields;  // of `last`
};

class RegisterReplay {
  public:
    RegisterReplay(const std::vector<AuditRow>& audit, const RegisterTables& tables,
                   std::vector<std::string>& problems)
        : audit_(audit), tables_(tables), problems_(problems) {}

    void run() {
        std::vector<const AuditRow*> register_entries;
        std::vector<const AuditRow*> officer_entries;
        for (const AuditRow& entry : audit_) {
            if (entry.event == "catalog.rebuilt") {
                // The rebuilt catalog's register and roster start empty (catalog_rebuild.hpp).
                register_entries.clear();
                officer_entries.clear();
            } else if (entry.event == kDeviceRegisteredEvent ||
                       entry.event == kDeviceRetiredEvent) {
                register_entries.push_back(&entry);
            } else if (entry.event == kOfficerAddedEvent || entry.event == kOfficerChangedEvent) {
                officer_entries.push_back(&entry);
            }
        }
        replay_register(register_entries);
        check_devices();
        replay_roster(officer_entries);
        check_officers();
    }

  private:
    void add_problem(std::string text) { problems_.push_back(std::move(text)); }

    // Each history row is the row of the first entry not yet matched with its serial and time:
    // the catalog writes the two in one transaction, in the same order. Entries skipped to reach
    // it have no row; a row no entry is left for is extra.
    void replay_register(const std::vector<const AuditRow*>& entries) {
        std::vector<const DeviceHistoryRow*> rows;
        for (const DeviceHistoryRow& row : tables_.history) rows.push_back(&row);
        std::sort(rows.begin(), rows.end(),
                  [](const auto* a, const auto* b) { return a->id < b->id; });
        std::map<std::pair<std::string, std::int64_t>, std::vector<std::size_t>> entries_at;
        for (std::size_t i = 0; i < entries.size(); ++i) {
            entries_at[{entries[i]->device_serial, entries[i]->at}].push_back(i);
        }
        std::size_t next = 0;
        bool any_row = false;
        for (const DeviceHistoryRow* row : rows) {
            auto same = entries_at.find({row->serial, row->at});
            std::size_t match = entries.size();
            if (same != entries_at.end()) {
                auto it = std::lower_bound(same->second.begin(), same->second.end(), next);
                if (it != same->second.end()) match = *it;
            }
            if (match == entries.size()) {
                add_problem(history_label(*row) +
                            ": no device.registered or device.retired entry of the audit log "
                            "records it (none of its device at " +
                            std::to_string(row->at) + ")");
                continue;
            }
            for (; next < match; ++next) apply_without_row(*entries[next], any_row);
            const AuditRow& entry = *entries[match];
            check_history_row(*row, entry, states_[entry.device_serial]);
            apply(entry, row);
            any_row = true;
            next = match + 1;
        }
        for (; next < entries.size(); ++next) apply_without_row(*entries[next], any_row);
    }

    // The history of schema 3 starts with the catalog's migration to it, which wrote no entry:
    // the unsigned registrations before the first entry that has its row are of that time.
    void apply_without_row(const AuditRow& entry, bool any_row) {
        const bool before_history = !any_row && entry.signature_hex.empty() &&
                                    entry.key_id.empty() && entry.event == kDeviceRegisteredEvent;
        if (!before_history) {
            add_problem(entry_name(entry) + " (" + entry.event + " of device " +
                        shown_value(entry.device_serial) +
                        "): the device_history table has no row for it");
        }
        apply(entry, nullptr);
    }

    // The names a registration gives: its history row's when the row makes the entry's detail
    // again (exact, whatever the names hold), else the detail's own fields.
    std::optional<Names> names_of(const AuditRow& entry, const DeviceHistoryRow* row) const {
        if (row && registration_detail(row->custodian, row->officer, row->head, row->changed_by,
                                       row->action == "reinstated", row->reason) == entry.detail) {
            return Names{row->custodian, row->officer, row->head};
        }
        auto fields = read_registration_detail(entry.detail);
        if (!fields) return std::nullopt;
        return Names{fields->custodian, fields->officer, fields->head};
    }

    void apply(const AuditRow& entry, const DeviceHistoryRow* row) {
        DeviceState& state = states_[entry.device_serial];
        state.last = &entry;
        if (entry.event == kDeviceRetiredEvent) {
            state.retired = true;
            state.retired_at = entry.at;
            return;
        }
        auto names = names_of(entry, row);
        if (!names) {
            add_problem(entry_name(entry) + " (" + entry.event + " of device " +
                        shown_value(entry.device_serial) +
                        "): its detail does not name a custodian, officer and head");
            names.emplace();
        }
        state.registered = true;
        state.names = std::move(*names);
        state.retired = false;
        state.retired_at = 0;
    }

    static std::string history_label(const DeviceHistoryRow& row) {
        return "device_history row " + std::to_string(row.id) + " (device " +
               shown_value(row.serial) + ")";
    }

    // One column against the value the entry gives it; true when they differ.
    bool differs(const std::string& label, std::string_view column, std::string_view found,
                 std::string_view expected, const AuditRow& entry) {
        if (found == expected) return false;
        add_problem(label + ": " + std::string(column) + " is " + shown_value(found) + ", " +
                    entry_name(entry) + " says " + shown_value(expected));
        return true;
    }

    // One column against the device's state before the entry.
    void differs_from_before(const std::string& label, std::string_view column,
                             std::string_view found, std::string_view expected,
                             const AuditRow& entry) {
        if (found == expected) return;
        add_problem(label + ": " + std::string(column) + " is " + shown_value(found) +
                    ", the audit log has " + shown_value(expected) + " before " +
                    entry_name(entry));
    }

    void check_history_row(const DeviceHistoryRow& row, const AuditRow& entry,
                           const DeviceState& before) {
        const std::string label = history_label(row);
        const std::size_t problems_before = problems_.size();
        const bool retirement = entry.event == kDeviceRetiredEvent;
        std::string action = "retired";
        const Names was = before.registered ? before.names : Names{};
        if (!retirement) {
            const Names now = names_of(entry, &row).value_or(Names{});
            if (!before.registered) {
                action = "registered";
            } else if (before.retired) {
                action = "reinstated";
            } else if (before.names.custodian == now.custodian && before.names.head == now.head) {
                action = "reassigned";
            } else {
                action = "changed";
            }
        }
        if (row.action != action) {
            add_problem(label + ": action is " + shown_value(row.action) + ", " +
                        entry_name(entry) + " (" + entry.event + ") makes it " +
                        shown_value(action));
        }
        if (retirement) {
            // A retired entry keeps its names, before and after.
            for (const auto& [column, found, expected] :
                 {std::tuple{"custodian", &row.custodian, &before.names.custodian},
                  std::tuple{"officer", &row.officer, &before.names.officer},
                  std::tuple{"head", &row.head, &before.names.head},
                  std::tuple{"previous_custodian", &row.previous_custodian,
                             &before.names.custodian},
                  std::tuple{"previous_officer", &row.previous_officer, &before.names.officer},
                  std::tuple{"previous_head", &row.previous_head, &before.names.head}}) {
                differs_from_before(label, column, *found, *expected, entry);
            }
            if (retirement_detail(row.changed_by, row.reason) != entry.detail) {
                const auto fields =
                    read_retirement_detail(entry.detail).value_or(RetirementFields{});
                bool named = differs(label, "changed_by", row.changed_by, fields.changed_by, entry);
                named = differs(label, "reason", row.reason, fields.reason, entry) || named;
                if (!named) contents_differ(label, entry);
            }
        } else {
            differs_from_before(label, "previous_custodian", row.previous_custodian, was.custodian,
                                entry);
            differs_from_before(label, "previous_officer", row.previous_officer, was.officer,
                                entry);
            differs_from_before(label, "previous_head", row.previous_head, was.head, entry);
            if (registration_detail(row.custodian, row.officer, row.head, row.changed_by,
                                    row.action == "reinstated", row.reason) != entry.detail) {
                const auto fields =
                    read_registration_detail(entry.detail).value_or(RegistrationFields{});
                bool named = false;
                for (const auto& [column, found, expected] :
                     {std::tuple{"custodian", &row.custodian, &fields.custodian},
                      std::tuple{"officer", &row.officer, &fields.officer},
                      std::tuple{"head", &row.head, &fields.head},
                      std::tuple{"changed_by", &row.changed_by, &fields.changed_by},
                      std::tuple{"reason", &row.reason, &fields.reason}}) {
                    named = differs(label, column, *found, *expected, entry) || named;
                }
                // A difference the fields do not show (values that hold a separator, or the
                // action alone) is named once, unless the action was.
                if (!named && problems_.size() == problems_before) contents_differ(label, entry);
            }
        }
    }

    void contents_differ(const std::string& label, const AuditRow& entry) {
        add_problem(label + ": its contents differ from " + entry_name(entry) + " (" + entry.event +
                    "), whose detail is " + shown_value(entry.detail));
    }

    void check_devices() {
        std::set<std::string> with_row;
        for (const DeviceRow& row : tables_.devices) {
            with_row.insert(row.serial);
            auto found = states_.find(row.serial);
            const DeviceState state = found == states_.end() ? DeviceState{} : found->second;
            const std::string label = "devices row of device " + shown_value(row.serial);
            const auto says = [&](const std::string& expected) {
                return state.last ? entry_name(*state.last) + " says " + expected
                                  : "expected " + expected +
                                        " (no register entry of the audit log names the device)";
            };
            if (row.registered != state.registered) {
                add_problem(label + ": registered is " + flag(row.registered) + ", " +
                            says(flag(state.registered)));
            }
            // Compared as the log writes them, so that names holding a separator compare as
            // the entry shows them.
            if (registration_names(row.custodian, row.officer, row.head) !=
                registration_names(state.names.custodian, state.names.officer, state.names.head)) {
                for (const auto& [column, found, expected] :
                     {std::tuple{"custodian", &row.custodian, &state.names.custodian},
                      std::tuple{"officer", &row.officer, &state.names.officer},
                      std::tuple{"head", &row.head, &state.names.head}}) {
                    if (*found != *expected) {
                        add_problem(label + ": " + column + " is " + shown_value(*found) + ", " +
                                    says(shown_value(*expected)));
                    }
                }
            }
            if (row.retired != state.retired) {
                add_problem(label + ": retired is " + flag(row.retired) + ", " +
                            says(flag(state.retired)));
            }
            if (row.retired_at != state.retired_at) {
                add_problem(label + ": retired_at is " + std::to_string(row.retired_at) + ", " +
                            says(std::to_string(state.retired_at)));
            }
        }
        for (const auto& [serial, state] : states_) {
            if (state.last && !with_row.contains(serial)) {
                add_problem("device " + shown_value(serial) + ": " + entry_name(*state.last) +
                            " (" + state.last->event +
                            ") names it, but the devices table has no row for it");
            }
        }
    }

    void replay_roster(const std::vector<const AuditRow*>& entries) {
        for (const AuditRow* entry : entries) {
            auto fields = read_officer_detail(entry->detail);
            if (!fields) {
                add_problem(entry_name(*entry) + " (" + entry->event +
                            "): its detail does not name an officer's ID, name and team");
                continue;
            }
            // The column compares IDs ignoring ASCII case (schema 4), and so does the roster.
            OfficerState& state = officers_[ascii_lower(fields->badge)];
            if (!state.added) {
                state.added = entry;
                state.badge = fields->badge;
            }
            state.last = entry;
            state.fields = std::move(*fields);
        }
    }

    void check_officers() {
        std::set<std::string> with_row;
        for (const OfficerRow& row : tables_.officers) {
            const std::string key = ascii_lower(row.badge);
            const std::string label = "officers row of ID " + shown_value(row.badge);
            auto found = officers_.find(key);
            if (found == officers_.end()) {
                add_problem(label + ": no " + std::string(kOfficerAddedEvent) +
                            " entry of the audit log adds this ID");
                continue;
            }
            if (!with_row.insert(key).second) {
                add_problem(label + ": a second row of this ID (IDs ignore case)");
                continue;
            }
            const OfficerState& state = found->second;
            const AuditRow& last = *state.last;
            if (row.badge != state.badge) {
                add_problem(label + ": the ID is spelt " + shown_value(row.badge) + ", " +
                            entry_name(*state.added) + " (" + state.added->event + ") spells it " +
                            shown_value(state.badge));
            }
            if (!officer_detail_shows(last.detail, row.badge, row.name, row.team)) {
                bool named = differs(label, "name", row.name, state.fields.name, last);
                named = differs(label, "team", row.team, state.fields.team, last) || named;
                if (!named) contents_differ(label, last);
            }
            if (row.updated_at != last.at) {
                add_problem(label + ": updated_at is " + std::to_string(row.updated_at) + ", " +
                            entry_name(last) + " (" + last.event + ") was written at " +
                            std::to_string(last.at));
            }
        }
        for (const auto& [key, state] : officers_) {
            if (!with_row.contains(key)) {
                add_problem("officer " + shown_value(state.badge) + ": " + entry_name(*state.last) +
                            " (" + state.last->event +
                            ") names this ID, but the officers table has no row for it");
            }
        }
    }

    const std::vector<AuditRow>& audit_;
    const RegisterTables& tables_;
    std::vector<std::string>& problems_;
    std::map<std::string, DeviceState> states_;     // by serial
    std::map<std::string, OfficerState> officers_;  // by ID in lower case
};

}  // namespace

void check_register_against_audit(const std::vector<AuditRow>& audit, const RegisterTables& tables,
                                  std::vector<std::string>& problems) {
    RegisterReplay(audit, tables, problems).run();
}

}  // namespace cradle
