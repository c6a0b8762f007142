// SPDX-License-Identifier: Apache-2.0
// The two reports a custodian prints, built from plain facts. Everything a reader sees in a
// fixed text goes through report_texts (the reader's language); names, serials and the
// readiness reasons are printed as stored. Column keys are stable: JSON and CSV readers rely
// on them (docs/reports.md lists them).
#include "reports/builders.hpp"

#include <algorithm>
#include <cstdio>
#include <string_view>
#include <unordered_map>

#include "common/text.hpp"
#include "reports/local_time.hpp"
#include "reports/report_texts.hpp"

namespace cradle::reports {
namespace {

// Who an officer entry or a camera's officer ID names, for people: "张伟 (0457)" when the roster
// knows the badge or the name, the translated "pool" for a shared camera, else as stored.
class Roster {
  public:
    explicit Roster(const std::vector<OfficerFacts>& officers) {
        for (const OfficerFacts& officer : officers) {
            if (!officer.badge.empty()) {
                by_badge_.emplace(badge_key(officer.badge), &officer);
            }
            if (!officer.name.empty()) {
                // Two officers of the same name: the name alone does not say which one.
                auto [at, added] = by_name_.emplace(officer.name, &officer);
                if (!added && at->second != nullptr && at->second->badge != officer.badge) {
                    at->second = nullptr;
                }
            }
        }
    }

    std::string shown(const std::string& officer) const {
        if (officer.empty()) {
            return {};
        }
        if (ascii_lower(officer) == "pool") {
            return texts::pool();
        }
        const OfficerFacts* known = find(officer);
        if (known == nullptr || known->name.empty() || known->badge.empty()) {
            return officer;
        }
        return known->name + " (" + known->badge + ")";
    }

  private:
    // A camera may report "a0388" for the roster's "A0388": the register compares badges
    // ignoring case (and surrounding spaces), and so does the report.
    const OfficerFacts* find(const std::string& officer) const {
        if (auto at = by_badge_.find(badge_key(officer)); at != by_badge_.end()) {
            return at->second;
        }
        if (auto at = by_name_.find(officer); at != by_name_.end()) {
            return at->second;
        }
        return nullptr;
    }

    std::unordered_map<std::string, const OfficerFacts*> by_badge_;
    std::unordered_map<std::string, const OfficerFacts*> by_name_;
};

bool starts_with(std::string_view text, std::string_view prefix) {
    return text.substr(0, prefix.size()) == prefix;
}

// The verdict's fixed part in the reader's language, its reasons as the cradle stored them
// (in English: they carry numbers and the camera's own fault texts).
std::string verdict_text(const std::string& verdict) {
    constexpr std::string_view not_ready = "not ready: ";
    constexpr std::string_view needs_custodian = "needs custodian: ";
    if (verdict == "ready for duty" || verdict == "ready") {
        return texts::ready_for_duty();
    }
    if (verdict == "not ready") {
        return texts::not_ready();
    }
    if (verdict == "needs custodian") {
        return texts::needs_custodian();
    }
    if (verdict == "docked: being checked") {
        return texts::docked_being_checked();
    }
    if (verdict == "interrupted") {
        return texts::interrupted();
    }
    if (starts_with(verdict, not_ready)) {
        return texts::not_ready_because(verdict.substr(not_ready.size()));
    }
    if (starts_with(verdict, needs_custodian)) {
        return texts::needs_custodian_because(verdict.substr(needs_custodian.size()));
    }
    return verdict;
}

Cell time_or_empty(std::int64_t utc_seconds) {
    return utc_seconds != 0 ? time_utc(utc_seconds) : empty();
}

// "+7.0 s", "-350 ms", "+3 min 5 s", "-2 h 10 min": a drift read at a glance; the sign says
// whether the camera was ahead (+) or behind (-) the cradle.
std::string drift_text(std::int64_t drift_ms) {
    const char* sign = drift_ms < 0 ? "-" : "+";
    std::uint64_t ms = drift_ms < 0 ? 0 - static_cast<std::uint64_t>(drift_ms)
                                    : static_cast<std::uint64_t>(drift_ms);
    char buffer[64];
    if (ms < 1000) {
        std::snprintf(buffer, sizeof buffer, "%s%llu ms", sign,
                      static_cast<unsigned long long>(ms));
    } else if (ms < 60'000) {
        std::snprintf(buffer, sizeof buffer, "%s%.1f s", sign, static_cast<double>(ms) / 1000);
    } else if (ms < 3'600'000) {
        std::snprintf(buffer, sizeof buffer, "%s%llu min %llu s", sign,
                      static_cast<unsigned long long>(ms / 60'000),
                      static_cast<unsigned long long>(ms % 60'000 / 1000));
    } else {
        std::snprintf(buffer, sizeof buffer, "%s%llu h %llu min", sign,
                      static_cast<unsigned long long>(ms / 3'600'000),
                      static_cast<unsigned long long>(ms % 3'600'000 / 60'000));
    }
    return buffer;
}

std::string device_status(const DeviceFacts& device) {
    if (!device.registered) {
        return texts::unregistered() + " — " + texts::needs_custodian();
    }
    return device.retired ? texts::retired() : texts::registered();
}

// The last local day of [from, to): `to` is the first moment after the period.
std::string last_local_date(const Period& period) {
    std::int64_t last = period.to > period.from ? period.to - 1 : period.from;
    return local_time_text(last).substr(0, 10);
}

bool in_period(std::int64_t at, const Period& period) {
    return at >= period.from && at < period.to;
}

template <typename Facts>
std::unordered_map<std::string, const Facts*> by_serial(const std::vector<Facts>& all) {
    std::unordered_map<std::string, const Facts*> index;
    for (const Facts& facts : all) {
        index[facts.serial] = &facts;  // the last one wins: inputs list the latest last
    }
    return index;
}

template <typename Facts>
const Facts* lookup(const std::unordered_map<std::string, const Facts*>& index,
                    const std::string& serial) {
    auto at = index.find(serial);
    return at == index.end() ? nullptr : at->second;
}

std::vector<const DeviceFacts*> sorted_by_serial(const std::vector<DeviceFacts>& devices) {
    std::vector<const DeviceFacts*> sorted;
    sorted.reserve(devices.size());
    for (const DeviceFacts& device : devices) {
        sorted.push_back(&device);
    }
    std::stable_sort(sorted.begin(), sorted.end(), [](const DeviceFacts* a, const DeviceFacts* b) {
        return a->serial < b->serial;
    });
    return sorted;
}

Section devices_section(const AssignmentsInput& input, const Roster& roster) {
    Section section;
    section.key = "devices";
    section.heading = texts::devices();
    section.note = texts::devices_note();
    section.table.columns = {{"serial", texts::serial()},
                             {"model", texts::model()},
                             {"firmware", texts::firmware()},
                             {"custodian", texts::custodian()},
                             {"officer", texts::officer()},
                             {"head", texts::responsible_head()},
                             {"status", texts::status()},
                             {"last_dock", texts::last_dock()},
                             {"last_offload", texts::last_offload()},
                             {"battery_percent", texts::battery_percent()},
                             {"faults", texts::faults()},
                             {"readiness", texts::readiness()}};
    auto docks = by_serial(input.last_docks);
    auto verdicts = by_serial(input.readiness);
    for (const DeviceFacts* device : sorted_by_serial(input.devices)) {
        const DockFacts* dock = lookup(docks, device->serial);
        const ReadinessFacts* verdict = lookup(verdicts, device->serial);
        bool health = dock != nullptr && dock->health_checked;
        std::string readiness;
        if (verdict != nullptr) {
            readiness = verdict_text(verdict->verdict);
        } else if (dock != nullptr) {
            readiness = verdict_text(dock->outcome);
        }
        section.table.rows.push_back(
            {text(device->serial), text(device->model), text(device->firmware),
             text(device->custodian), text(roster.shown(device->officer)), text(device->head),
             text(device_status(*device)),
             time_or_empty(dock != nullptr ? dock->started_at : device->last_seen),
             time_or_empty(device->last_offload), health ? number(dock->battery_percent) : empty(),
             text(health ? dock->faults : std::string()), text(readiness)});
    }
    return section;
}

Section unregistered_section(const AssignmentsInput& input) {
    Section section;
    section.key = "unregistered";
    section.heading = texts::unregistered_devices_seen();
    section.note = texts::unregistered_note();
    section.table.columns = {{"serial", texts::serial()},       {"model", texts::model()},
                             {"firmware", texts::firmware()},   {"first_seen", texts::first_seen()},
                             {"last_seen", texts::last_seen()}, {"status", texts::status()}};
    for (const DeviceFacts* device : sorted_by_serial(input.devices)) {
        if (device->registered) {
            continue;
        }
        section.table.rows.push_back({text(device->serial), text(device->model),
                                      text(device->firmware), time_or_empty(device->first_seen),
                                      time_or_empty(device->last_seen),
                                      text(texts::needs_custodian())});
    }
    return section;
}

// What a change did, field by field: "Officer: 张伟 → 李娜"; a field set for the first time
// shows its value alone; unchanged fields are left out.
std::string change_text(const ChangeFacts& change, const Roster& roster) {
    struct Field {
        std::string label;
        std::string before;
        std::string after;
    };
    Field fields[] = {
        {texts::custodian(), change.previous_custodian, change.custodian},
        {texts::officer(), roster.shown(change.previous_officer), roster.shown(change.officer)},
        {texts::responsible_head(), change.previous_head, change.head},
    };
    std::string shown;
    for (const Field& field : fields) {
        if (field.before == field.after) {
            continue;
        }
        std::string value = field.before.empty() ? field.after : field.before + " → " + field.after;
        shown += (shown.empty() ? "" : "; ") + texts::labelled(field.label, value);
    }
    return shown;
}

Section changes_section(const AssignmentsInput& input, const Roster& roster) {
    Section section;
    section.key = "changes";
    section.heading = texts::changes_in_period();
    section.note = texts::changes_note();
    section.table.columns = {{"when", texts::when()},
                             {"serial", texts::serial()},
                             {"action", texts::action()},
                             {"change", texts::change()},
                             {"changed_by", texts::changed_by()},
                             {"reason", texts::reason()}};
    std::vector<const ChangeFacts*> changes;
    for (const ChangeFacts& change : input.changes) {
        if (in_period(change.at, input.period)) {
            changes.push_back(&change);
        }
    }
    std::stable_sort(changes.begin(), changes.end(),
                     [](const ChangeFacts* a, const ChangeFacts* b) { return a->at < b->at; });
    for (const ChangeFacts* change : changes) {
        section.table.rows.push_back(
            {time_utc(change->at), text(change->serial), text(texts::change_action(change->action)),
             text(change_text(*change, roster)), text(change->changed_by), text(change->reason)});
    }
    return section;
}

Section attribution_section(const AssignmentsInput& input, const Roster& roster) {
    Section section;
    section.key = "attribution";
    section.heading = texts::attribution_disagreements();
    section.note = texts::attribution_note();
    section.table.columns = {{"serial", texts::serial()},
                             {"recording", texts::recording()},
                             {"captured", texts::captured()},
                             {"officer", texts::officer_at_capture()},
                             {"camera_officer_id", texts::camera_officer_id()}};
    std::vector<const RecordingFacts*> recordings;
    for (const RecordingFacts& recording : input.disagreements) {
        if (recording.attribution_disagrees && in_period(recording.captured_at, input.period)) {
            recordings.push_back(&recording);
        }
    }
    std::stable_sort(recordings.begin(), recordings.end(),
                     [](const RecordingFacts* a, const RecordingFacts* b) {
                         return a->captured_at < b->captured_at;
                     });
    for (const RecordingFacts* recording : recordings) {
        section.table.rows.push_back({text(recording->serial), text(recording->name),
                                      time_utc(recording->captured_at),
                                      text(roster.shown(recording->officer)),
                                      text(roster.shown(recording->camera_officer_id))});
    }
    return section;
}

Section docks_section(const DockDayInput& input, const Roster& roster) {
    Section section;
    section.key = "docks";
    section.heading = texts::docks();
    section.note = texts::docks_note();
    section.table.columns = {{"docked_at", texts::docked_at()},
                             {"bay", texts::bay()},
                             {"serial", texts::serial()},
                             {"officer", texts::officer()},
                             {"battery_percent", texts::battery_percent()},
                             {"charging", texts::charging()},
                             {"faults", texts::faults()},
                             {"clock_drift", texts::clock_drift()},
                             {"clock_corrected", texts::clock_corrected()},
                             {"recordings_archived", texts::recordings_archived()},
                             {"bytes_archived", texts::bytes_archived()},
                             {"recordings_wiped", texts::recordings_wiped()},
                             {"readiness", texts::readiness()}};
    auto devices = by_serial(input.devices);
    std::vector<const DockFacts*> docks;
    for (const DockFacts& dock : input.docks) {
        docks.push_back(&dock);
    }
    std::stable_sort(docks.begin(), docks.end(), [](const DockFacts* a, const DockFacts* b) {
        return a->started_at < b->started_at;
    });
    for (const DockFacts* dock : docks) {
        const DeviceFacts* device = lookup(devices, dock->serial);
        bool health = dock->health_checked;
        section.table.rows.push_back(
            {time_utc(dock->started_at), number(dock->bay), text(dock->serial),
             text(device != nullptr ? roster.shown(device->officer) : std::string()),
             health ? number(dock->battery_percent) : empty(),
             health ? flag(dock->charging) : empty(), text(health ? dock->faults : std::string()),
             text(dock->clock_measured ? drift_text(dock->clock_drift_ms) : std::string()),
             dock->clock_measured ? flag(dock->clock_corrected) : empty(),
             number(static_cast<double>(dock->recordings_archived)),
             number(static_cast<double>(dock->bytes_archived)),
             number(static_cast<double>(dock->recordings_wiped)),
             text(verdict_text(dock->outcome))});
    }
    return section;
}

Section recordings_section(const DockDayInput& input, const Roster& roster) {
    Section section;
    section.key = "recordings";
    section.heading = texts::recordings_of_the_day();
    section.note = texts::recordings_note();
    section.table.columns = {{"serial", texts::serial()},
                             {"recording", texts::recording()},
                             {"captured", texts::captured()},
                             {"size_bytes", texts::size_bytes()},
                             {"officer", texts::officer_at_capture()},
                             {"camera_officer_id", texts::camera_officer_id()},
                             {"disagrees", texts::disagrees()},
                             {"archived_at", texts::archived_at()},
                             {"wiped_at", texts::wiped_at()}};
    for (const RecordingFacts& recording : input.recordings) {
        section.table.rows.push_back(
            {text(recording.serial), text(recording.name), time_utc(recording.captured_at),
             number(static_cast<double>(recording.size)), text(roster.shown(recording.officer)),
             text(roster.shown(recording.camera_officer_id)), flag(recording.attribution_disagrees),
             time_or_empty(recording.archived_at), time_or_empty(recording.wiped_at)});
    }
    return section;
}

}  // namespace

Report build_assignments_report(const AssignmentsInput& input, std::int64_t generated_at_utc) {
    Roster roster(input.officers);
    Report report;
    report.key = "assignments";
    report.title = texts::device_assignments();
    report.subtitle = texts::period(local_time_text(input.period.from).substr(0, 10),
                                    last_local_date(input.period)) +
                      " · " + texts::cradle(input.cradle);
    report.generated_at_utc = generated_at_utc;
    report.sections.push_back(devices_section(input, roster));
    report.sections.push_back(unregistered_section(input));
    report.sections.push_back(changes_section(input, roster));
    report.sections.push_back(attribution_section(input, roster));
    return report;
}

Report build_dock_report(const DockDayInput& input, std::int64_t generated_at_utc) {
    Roster roster(input.officers);
    Report report;
    report.key = "dock";
    report.title = texts::dock_report();
    report.subtitle = texts::day(input.date) + " · " + texts::cradle(input.cradle);
    report.generated_at_utc = generated_at_utc;
    report.sections.push_back(docks_section(input, roster));
    report.sections.push_back(recordings_section(input, roster));
    return report;
}

}  // namespace cradle::reports
