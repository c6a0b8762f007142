// SPDX-License-Identifier: Apache-2.0
// status: over the bus, the service and every bay, live (--watch: as they change); offline, a
// summary of the catalog, since a state directory knows no bays.
#include "cradlectl/bay_line.hpp"
#include "cradlectl/commands.hpp"
#include "cradlectl/data_source.hpp"
#include "cradlectl/live_view.hpp"
#include "cradlectl/text_output.hpp"

#include <unistd.h>

#include <iostream>
#include <string>
#include <variant>
#include <vector>

namespace cradle::ctl {
namespace {

void print_live(std::ostream& out, const LiveStatus& live, bool json) {
    const ServiceInfo& service = live.service;
    if (json) {
        std::vector<std::string> elements;
        for (const BayInfo& bay : live.bays) elements.push_back(bay_json(bay));
        JsonObject status;
        status.add("version", service.version)
            .add("state_dir", service.state_directory)
            .add("clock_synchronised", service.clock_synchronised)
            .add("bay_count", static_cast<std::uint64_t>(service.bay_count))
            .add_json("bays", json_array(elements));
        out << status.str() << '\n';
        return;
    }
    print_fields(out,
                 {
                     {"cradled", service.version},
                     {"state directory", service.state_directory},
                     {"clock", service.clock_synchronised ? "synchronised" : "not synchronised"},
                     {"bays", std::to_string(service.bay_count)},
                 });
    out << '\n';
    for (const BayInfo& bay : live.bays) out << bay_line(bay) << '\n';
}

std::string audit_summary(const AuditRow& row) {
    std::string text = "#" + std::to_string(row.seq) + " " + utc_iso8601(row.at) + " " + row.event;
    if (row.bay != 0) text += ", bay " + std::to_string(row.bay);
    if (!row.device_serial.empty()) text += ", device " + row.device_serial;
    if (row.recording_id != 0) text += ", recording " + std::to_string(row.recording_id);
    return text;
}

void print_catalog_json(std::ostream& out, const CatalogStatus& summary) {
    JsonObject counts;
    for (const auto& [state, count] : summary.recordings_by_state) {
        counts.add(to_string(state), count);
    }
    counts.add("total", summary.recordings);
    JsonObject status;
    status.add("state_dir", summary.state_dir)
        .add("schema_version", summary.schema_version)
        .add("devices", summary.devices)
        .add("registered_devices", summary.registered_devices)
        .add_json("recordings", counts.str())
        .add("open_dock_sessions", summary.open_dock_sessions)
        .add("bytes_archived", summary.bytes_archived)
        .add("quarantined_files", summary.quarantined_files);
    if (!summary.last_audit) {
        status.add_null("last_audit");
    } else {
        const AuditRow& last = *summary.last_audit;
        JsonObject entry;
        entry.add("seq", last.seq)
            .add("at", utc_iso8601(last.at))
            .add("event", last.event)
            .add("bay", last.bay)
            .add("device_serial", last.device_serial)
            .add("recording_id", last.recording_id)
            .add("detail", last.detail);
        status.add_json("last_audit", entry.str());
    }
    out << status.str() << '\n';
}

void print_catalog(std::ostream& out, const CatalogStatus& summary, bool json) {
    if (json) {
        print_catalog_json(out, summary);
        return;
    }
    std::string states = std::to_string(summary.recordings);
    std::string separator = ": ";
    for (const auto& [state, count] : summary.recordings_by_state) {
        states += separator + std::to_string(count) + " " + to_string(state);
        separator = ", ";
    }
    const std::uint64_t bytes = summary.bytes_archived;
    print_fields(
        out,
        {
            {"state directory", summary.state_dir},
            {"schema version", std::to_string(summary.schema_version)},
            {"devices", std::to_string(summary.devices) + " (" +
                            std::to_string(summary.registered_devices) + " registered)"},
            {"recordings", states},
            {"open dock sessions", std::to_string(summary.open_dock_sessions)},
            {"bytes archived", std::to_string(bytes) + " (" + human_bytes(bytes) + ")"},
            {"last audit entry", summary.last_audit ? audit_summary(*summary.last_audit) : "none"},
            {"quarantine", summary.quarantined_files == 0
                               ? std::string("empty")
                               : std::to_string(summary.quarantined_files) +
                                     " file(s) put aside by start-up recovery for a "
                                     "custodian (cradlectl verify lists them)"},
        });
}

int watch(const Invocation& invocation, DataSource& source, std::ostream& out) {
    const bool terminal = &out == &std::cout && ::isatty(STDOUT_FILENO) == 1;
    LiveView view(out, terminal, invocation.json, invocation.until_idle);
    switch (source.watch(view, invocation.wait)) {
        case WatchEnd::done:
        case WatchEnd::interrupted:
            return kExitOk;
        case WatchEnd::service_left:
            // The daemon may end its run as the last bay finishes (--exit-when-idle).
            if (invocation.until_idle && view.idle()) return kExitOk;
            throw BusClientError(BusFailure::unreachable, "cradled left " + source.description());
    }
    return kExitOk;
}

}  // namespace

int status_command(const Invocation& invocation, DataSource& source, std::ostream& out) {
    if (invocation.watch) return watch(invocation, source, out);
    const StatusSummary summary = source.status();
    if (const auto* live = std::get_if<LiveStatus>(&summary)) {
        print_live(out, *live, invocation.json);
    } else {
        print_catalog(out, std::get<CatalogStatus>(summary), invocation.json);
    }
    return kExitOk;
}

}  // namespace cradle::ctl
