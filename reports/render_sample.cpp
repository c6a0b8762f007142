// SPDX-License-Identifier: Apache-2.0
// Renders a sample device-assignment report and a sample dock report, built by the report
// builders from made-up facts with Chinese and English names, as PDF, CSV and JSON, so the
// output can be looked at: report-sample DIR writes DIR/sample.{pdf,csv,json} (the assignment
// report) and DIR/sample-dock.{pdf,csv,json}. Not installed; the texts come from the build
// tree's catalogs.
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>

#include "reports/builders.hpp"
#include "reports/csv.hpp"
#include "reports/json.hpp"
#include "reports/local_time.hpp"
#include "reports/pdf.hpp"
#include "reports/translation.hpp"

namespace {

using namespace cradle::reports;

constexpr std::int64_t month_start = 1'772'319'600;  // 2026-03-01 00:00 CET
constexpr std::int64_t last_night = 1'774'740'600;   // 2026-03-28 23:30 UTC
constexpr std::int64_t generated = 1'774'785'600;    // 2026-03-29 12:00 UTC

const OfficerFacts roster[] = {
    {"0457", "张伟", "一组"},     {"0388", "Anna Schmidt", "二组"},
    {"0512", "李娜", "一组"},     {"0621", "Tom O'Brien", "二组"},
    {"0733", "王芳", "交警中队"}, {"0804", "Jean \"JJ\" Roe", "二组"},
    {"0915", "欧阳建国", "一组"}, {"1002", "Maria Garcia", "二组"},
};
const char* custodians[] = {"陈静", "Peter Miller"};

std::string serial_of(int i) {
    char serial[32];
    std::snprintf(serial, sizeof serial, "BWC-%04d", i + 1);
    return serial;
}

// Long on purpose: the sample report's facts, one a line.
AssignmentsInput sample_assignments() {
    AssignmentsInput input;
    input.cradle = "cradle-01 东城分局";
    // Whole local days of the reader's zone, as cradlectl asks for them.
    input.period = {local_day("2026-03-01")->from, local_day("2026-03-31")->to};
    input.officers.assign(std::begin(roster), std::end(roster));
    for (int i = 0; i < 70; ++i) {
        DeviceFacts device;
        device.serial = serial_of(i);
        device.model = i % 3 == 0 ? "BX-9" : "DSJ-Y8 执法记录仪";
        device.firmware = i % 3 == 0 ? "4.0.12" : "2.1.0";
        device.registered = true;
        device.retired = i == 12;
        device.retired_at = device.retired ? last_night - 5 * 86'400 : 0;
        device.custodian = custodians[i % 2];
        // Officers by roster badge, by name, or the team's pool.
        const OfficerFacts& officer = roster[i % 8];
        device.officer = i % 10 == 7 ? "pool" : (i % 2 ? officer.badge : officer.name);
        device.head = i % 2 ? "赵建军" : "Karl Weber";
        device.first_seen = month_start - 90 * 86'400;
        device.last_seen = last_night - 3600 * (i % 30);
        device.last_offload = device.last_seen + 900;
        input.devices.push_back(device);

        DockFacts dock;
        dock.serial = device.serial;
        dock.bay = 1 + i % 8;
        dock.started_at = device.last_seen;
        dock.ended_at = dock.started_at + 2400;
        dock.health_checked = true;
        bool low_battery = i % 9 == 4;
        dock.battery_percent = low_battery ? 12 : 95 - i % 7;
        dock.charging = dock.battery_percent < 95;
        dock.faults = i == 22 ? "lens heater; mic 2 silent" : "";
        dock.outcome = low_battery ? "not ready: battery 12% (needs 80%)"
                       : i == 22   ? "not ready: fault: lens heater, fault: mic 2 silent"
                                   : "ready for duty";
        input.last_docks.push_back(dock);
        input.readiness.push_back(
            {device.serial, dock.ended_at, dock.outcome == "ready for duty", dock.outcome});
    }
    DeviceFacts stranger;
    stranger.serial = "UNK-7781";
    stranger.model = "DSJ-Y8 执法记录仪";
    stranger.firmware = "2.0.3";
    stranger.first_seen = last_night - 7200;
    stranger.last_seen = last_night - 7200;
    input.devices.push_back(stranger);
    input.readiness.push_back(
        {"UNK-7781", last_night - 5400, false,
         "needs custodian: unregistered device: footage archived and wiped, register it"});

    ChangeFacts reassigned;
    reassigned.serial = "BWC-0003";
    reassigned.at = last_night - 86'400;
    reassigned.action = "reassigned";
    reassigned.custodian = reassigned.previous_custodian = "陈静";
    reassigned.head = reassigned.previous_head = "赵建军";
    reassigned.previous_officer = "张伟";
    reassigned.officer = "0512";
    reassigned.changed_by = "uid 1001 (chenjing)";
    reassigned.reason = "调岗 / moved to the traffic unit";
    ChangeFacts retired = reassigned;
    retired.serial = "BWC-0013";
    retired.at = last_night - 5 * 86'400;
    retired.action = "retired";
    retired.previous_officer = retired.officer;
    retired.reason = "外壳破裂, sent for repair";
    input.changes = {retired, reassigned};

    RecordingFacts disagreement;
    disagreement.serial = "BWC-0005";
    disagreement.name = "VID_20260328_191204.MP4";
    disagreement.size = 734'003'200;
    disagreement.captured_at = last_night - 4 * 3600;
    disagreement.archived_at = last_night + 300;
    disagreement.officer = "王芳";
    disagreement.camera_officer_id = "0388";
    disagreement.attribution_disagrees = true;
    input.disagreements.push_back(disagreement);
    return input;
}

DockDayInput sample_dock_day(const AssignmentsInput& assignments) {
    DockDayInput input;
    input.cradle = assignments.cradle;
    input.date = "2026-03-29";
    input.period = *local_day(input.date);  // in Central Europe 23 hours: summer time begins
    input.officers = assignments.officers;
    input.devices = assignments.devices;
    for (int i = 0; i < 6; ++i) {
        DockFacts dock = assignments.last_docks[static_cast<std::size_t>(i)];
        dock.started_at = input.period.from + 1800 + i * 2400;
        dock.clock_measured = true;
        dock.clock_drift_ms = i == 2 ? 7'040 : (i == 4 ? -185'000 : 120 - 40 * i);
        dock.clock_corrected = i != 4;
        dock.recordings_archived = 3 + i % 3;
        dock.bytes_archived = dock.recordings_archived * 734'003'200ULL;
        dock.recordings_wiped = dock.recordings_archived;
        input.docks.push_back(dock);
        for (std::uint64_t r = 0; r < dock.recordings_archived; ++r) {
            RecordingFacts recording;
            recording.serial = dock.serial;
            recording.name = "VID_20260328_" + std::to_string(180000 + 1000 * r) + ".MP4";
            recording.size = 734'003'200;
            recording.captured_at = dock.started_at - 6 * 3600 + static_cast<std::int64_t>(r) * 600;
            recording.archived_at = dock.started_at + 300 + static_cast<std::int64_t>(r) * 120;
            recording.wiped_at = recording.archived_at + 60;
            const DeviceFacts& device = assignments.devices[static_cast<std::size_t>(i)];
            recording.officer = device.officer;
            recording.camera_officer_id = i == 4 && r == 0 ? "0388" : "";
            recording.attribution_disagrees = !recording.camera_officer_id.empty();
            input.recordings.push_back(recording);
        }
    }
    return input;
}

void write_file(const std::filesystem::path& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary);
    out << bytes;
    if (!out) {
        throw std::runtime_error("cannot write " + path.string());
    }
}

void write_report(const std::filesystem::path& dir, const std::string& name, const Report& report) {
    write_file(dir / (name + ".pdf"), render_pdf(report));
    write_file(dir / (name + ".csv"), render_csv(report));
    write_file(dir / (name + ".json"), render_json(report));
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: report-sample DIR\n");
        return 2;
    }
    try {
        use_language_from_environment(CRADLED_BUILD_LOCALE_DIR);
        std::filesystem::path dir = argv[1];
        std::filesystem::create_directories(dir);
        AssignmentsInput assignments = sample_assignments();
        write_report(dir, "sample", build_assignments_report(assignments, generated));
        write_report(dir, "sample-dock",
                     build_dock_report(sample_dock_day(assignments), generated));
    } catch (const std::exception& error) {
        std::fprintf(stderr, "report-sample: %s\n", error.what());
        return 1;
    }
    return 0;
}
