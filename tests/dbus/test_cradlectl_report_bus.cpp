// SPDX-License-Identifier: Apache-2.0
// cradlectl report and the officers' roster, end to end: the real cradled on an emulated
// three-bay cradle (a ready camera, an unregistered one, one with a low battery) on a private
// bus, and the real cradlectl asking it, and reading the state directory offline. The reports
// are read back (JSON and CSV parsed, the PDF's text through pdftotext) and compared with the
// catalog.
#include "tests/dbus/cradlectl_rig.hpp"

#include "core/catalog/catalog.hpp"
#include "cradlectl/register_csv.hpp"
#include "reports/builders.hpp"
#include "reports/translation.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace cradle::test {
namespace {

const Json* section_of(const Json& report, const std::string& key) {
    for (const Json& section : elements(report.at("sections"))) {
        if (section.at("section").get<std::string>() == key) return &section;
    }
    return nullptr;
}

const Json* row_of(const Json& section, const std::string& serial) {
    for (const Json& row : elements(section.at("rows"))) {
        if (row.at("serial").get<std::string>() == serial) return &row;
    }
    return nullptr;
}

class CradlectlReport : public CradlectlOverBus {
  protected:
    void write_configuration(std::uint64_t) override {
        fs::permissions(dir_.path(),
                        fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
        std::ofstream(dir_.path() / "cradle.toml")
            << "bays = 3\nptp = true\n"
               "[[camera]]\nserial = \"CAM-1\"\nbay = 1\nrecordings = 3\ntotal_bytes = 300000\n"
               "seed = 7\nbattery_percent = 95\n"
               "[[camera]]\nserial = \"CAM-2\"\nbay = 2\nrecordings = 2\ntotal_bytes = 200000\n"
               "seed = 8\nbattery_percent = 95\n"
               "[[camera]]\nserial = \"CAM-3\"\nbay = 3\nrecordings = 1\ntotal_bytes = 100000\n"
               "seed = 9\nbattery_percent = 35\n";
        std::ofstream(dir_.path() / "cradled.toml")
            << "[daemon]\nbackend = \"sim\"\nworkers = 2\n"
               "[readiness]\nclock_trust = \"always\"\nbattery_min_percent = 80\n"
               "[[register]]\nserial = \"CAM-1\"\ncustodian = \"看管人 王丽\"\n"
               "officer = \"Officer B\"\nhead = \"Head C\"\n"
               "[[register]]\nserial = \"CAM-3\"\ncustodian = \"Custodian D\"\n"
               "officer = \"pool\"\nhead = \"Head C\"\n"
               "[sim]\ncradle = \"cradle.toml\"\n";
    }

    // cradlectl with the build tree's message catalogs and a fixed time zone.
    Result report(std::vector<std::string> args, bool on_bus = true,
                  const std::string& language = "en") {
        if (!on_bus) args.insert(args.begin(), {"--state-dir", state_dir().string()});
        Child::Options options =
            cradlectl_options(args, "report-" + std::to_string(++report_runs_), on_bus);
        options.environment = {"CRADLED_LOCALE_DIR=" CRADLED_BUILD_LOCALE_DIR, "TZ=Asia/Shanghai",
                               "LANGUAGE=" + language, "LC_ALL=C.UTF-8"};
        return run(options);
    }

    Json json_report(std::vector<std::string> args, bool on_bus = true) {
        args.insert(args.end(), {"--format", "json"});
        const Result result = report(args, on_bus);
        EXPECT_EQ(result.exit_status, 0) << result.err;
        return parse_json(result.out);
    }

    std::vector<DeviceRow> catalog_devices() const {
        return Catalog::open_read_only(state_dir() / "catalog.sqlite").devices();
    }

    int report_runs_ = 0;
};

TEST_F(CradlectlReport, AssignmentsListEveryDeviceAsTheCatalogHasIt) {
    ASSERT_NO_FATAL_FAILURE(start_daemon_and_wait_until_idle());
    const Json report_json = json_report({"report", "assignments"});
    EXPECT_EQ(report_json.at("report"), "assignments");
    const Json* devices = section_of(report_json, "devices");
    ASSERT_NE(devices, nullptr);
    const std::vector<DeviceRow> catalog = catalog_devices();
    ASSERT_EQ(catalog.size(), 3u);
    ASSERT_EQ(elements(devices->at("rows")).size(), catalog.size());
    for (const DeviceRow& device : catalog) {
        SCOPED_TRACE(device.serial);
        const Json* row = row_of(*devices, device.serial);
        ASSERT_NE(row, nullptr);
        EXPECT_EQ(row->at("custodian").get<std::string>(), device.custodian);
        EXPECT_EQ(row->at("head").get<std::string>(), device.head);
        EXPECT_EQ(row->at("model").get<std::string>(), device.model);
        if (device.officer != "pool") {
            EXPECT_EQ(row->at("officer").get<std::string>(), device.officer);
        }
    }
    EXPECT_EQ(row_of(*devices, "CAM-1")->at("readiness").get<std::string>(), "ready for duty");
    const std::string low = row_of(*devices, "CAM-3")->at("readiness").get<std::string>();
    EXPECT_NE(low.find("not ready"), std::string::npos) << low;
    EXPECT_NE(low.find("battery 35%"), std::string::npos) << low;
    EXPECT_EQ(whole_number(row_of(*devices, "CAM-3")->at("battery_percent")), 35);
    const Json* unregistered = section_of(report_json, "unregistered");
    ASSERT_NE(unregistered, nullptr);
    ASSERT_EQ(elements(unregistered->at("rows")).size(), 1u);
    EXPECT_EQ(unregistered->at("rows").at(0).at("serial"), "CAM-2");

    // Offline, from the state directory, the same report.
    Json offline_json = json_report({"report", "assignments"}, /*on_bus=*/false);
    EXPECT_TRUE(report_json.at("sections") == offline_json.at("sections"))
        << "over the bus and offline differ";
    EXPECT_EQ(report_json.at("subtitle").get<std::string>(),
              offline_json.at("subtitle").get<std::string>());
}

TEST_F(CradlectlReport, CsvAndPdfSayTheSame) {
    ASSERT_NO_FATAL_FAILURE(start_daemon_and_wait_until_idle());
    const fs::path csv_file = dir_.path() / "assignments.csv";
    const fs::path pdf_file = dir_.path() / "assignments.pdf";
    ASSERT_EQ(report({"report", "assignments", "-o", csv_file.string()}).exit_status, 0);
    const Result pdf_run = report({"report", "assignments", "-o", pdf_file.string()});
    ASSERT_EQ(pdf_run.exit_status, 0) << pdf_run.err;

    const std::string csv = file_text(csv_file);
    EXPECT_EQ(csv.rfind("\xEF\xBB\xBF", 0), 0u) << "UTF-8 with its byte order mark";
    std::map<std::string, std::vector<std::string>> device_rows;  // by serial
    for (const ctl::CsvRecord& record : ctl::parse_csv(csv)) {
        if (record.fields.size() > 4 && record.fields[0] == "devices") {
            device_rows[record.fields[1]] = record.fields;
        }
    }
    for (const DeviceRow& device : catalog_devices()) {
        ASSERT_TRUE(device_rows.contains(device.serial)) << device.serial << "\n" << csv;
        const std::vector<std::string>& row = device_rows[device.serial];
        EXPECT_NE(std::find(row.begin(), row.end(), device.custodian), row.end()) << device.serial;
    }

    const fs::path text_file = dir_.path() / "assignments.txt";
    const std::string command =
        "pdftotext -layout '" + pdf_file.string() + "' '" + text_file.string() + "'";
    ASSERT_EQ(std::system(command.c_str()), 0);
    const std::string text = file_text(text_file);
    for (const char* expected :
         {"CAM-1", "CAM-2", "CAM-3", "看管人 王丽", "Custodian D", "Officer B", "not ready"}) {
        EXPECT_NE(text.find(expected), std::string::npos) << expected << " not in:\n" << text;
    }
}

TEST_F(CradlectlReport, TheReadersLanguageIsTheReports) {
    ASSERT_NO_FATAL_FAILURE(start_daemon_and_wait_until_idle());
    const Result chinese = report({"report", "assignments", "--format", "json"}, true, "zh_CN");
    ASSERT_EQ(chinese.exit_status, 0) << chinese.err;
    // The title as the report library gives it in Chinese.
    ::setenv("LANGUAGE", "zh_CN", 1);
    ::setenv("LC_ALL", "C.UTF-8", 1);
    reports::use_language_from_environment(CRADLED_BUILD_LOCALE_DIR);
    const std::string title = reports::build_assignments_report({}, 0).title;
    ::unsetenv("LANGUAGE");
    reports::use_language_from_environment(CRADLED_BUILD_LOCALE_DIR);
    const std::string english = reports::build_assignments_report({}, 0).title;
    ASSERT_NE(title, english) << "no Chinese catalog in the build tree";
    EXPECT_EQ(parse_json(chinese.out).at("title").get<std::string>(), title);

    const fs::path pdf_file = dir_.path() / "zh.pdf";
    ASSERT_EQ(report({"report", "assignments", "-o", pdf_file.string()}, true, "zh_CN").exit_status,
              0);
    const fs::path text_file = dir_.path() / "zh.txt";
    ASSERT_EQ(
        std::system(("pdftotext '" + pdf_file.string() + "' '" + text_file.string() + "'").c_str()),
        0);
    EXPECT_NE(file_text(text_file).find(title), std::string::npos) << file_text(text_file);
}

TEST_F(CradlectlReport, DockReportListsTheDaysDocksAndRecordings) {
    ASSERT_NO_FATAL_FAILURE(start_daemon_and_wait_until_idle());
    const Json day = json_report({"report", "dock"});
    EXPECT_EQ(day.at("report"), "dock");
    const Json* docks = section_of(day, "docks");
    ASSERT_NE(docks, nullptr);
    ASSERT_EQ(elements(docks->at("rows")).size(), 3u);
    EXPECT_EQ(whole_number(row_of(*docks, "CAM-1")->at("recordings_archived")), 3);
    EXPECT_EQ(whole_number(row_of(*docks, "CAM-1")->at("recordings_wiped")), 3);
    EXPECT_EQ(whole_number(row_of(*docks, "CAM-3")->at("battery_percent")), 35);
    const Json* recordings = section_of(day, "recordings");
    ASSERT_NE(recordings, nullptr);
    EXPECT_EQ(elements(recordings->at("rows")).size(), 6u);
    Json offline_day = json_report({"report", "dock"}, /*on_bus=*/false);
    EXPECT_TRUE(day.at("sections") == offline_day.at("sections"));

    // A day with nothing in it is an empty report, not an error.
    const Json empty = json_report({"report", "dock", "--date", "2020-01-01"});
    const Json* no_docks = section_of(empty, "docks");
    ASSERT_NE(no_docks, nullptr);
    EXPECT_TRUE(elements(no_docks->at("rows")).empty());
}

TEST_F(CradlectlReport, MistakesAreSaidClearly) {
    ASSERT_NO_FATAL_FAILURE(start_daemon_and_wait_until_idle());
    const Result unknown = report({"report", "weekly"});
    EXPECT_EQ(unknown.exit_status, 2);
    EXPECT_NE(unknown.err.find("report weekly: unknown"), std::string::npos) << unknown.err;
    const Result bad_date = report({"report", "dock", "--date", "2026-02-30"});
    EXPECT_EQ(bad_date.exit_status, 2);
    EXPECT_NE(bad_date.err.find("not a date"), std::string::npos) << bad_date.err;
    const Result unwritable =
        report({"report", "assignments", "-o", (dir_.path() / "no-such-dir" / "r.pdf").string()});
    EXPECT_EQ(unwritable.exit_status, 2);
    EXPECT_NE(unwritable.err.find("cannot write"), std::string::npos) << unwritable.err;
    EXPECT_FALSE(fs::exists(dir_.path() / "no-such-dir"));
    // An export's output that cannot be written is the same usage error, over the bus as
    // offline: a device that refuses every write (/dev/full, through a link to it) too.
    const fs::path to_full = dir_.path() / "to-full";
    fs::create_symlink("/dev/full", to_full);
    for (const char* list : {"devices", "officers"}) {
        for (const fs::path& output : {dir_.path() / "no-such-dir" / "x.csv", to_full}) {
            SCOPED_TRACE(std::string(list) + " " + output.string());
            const Result bus_export = cradlectl({"export", list, "-o", output.string()});
            EXPECT_EQ(bus_export.exit_status, 2) << bus_export.err;
            EXPECT_NE(bus_export.err.find("cannot write"), std::string::npos) << bus_export.err;
            EXPECT_EQ(offline({"export", list, "-o", output.string()}).exit_status, 2);
        }
    }
    EXPECT_TRUE(fs::is_symlink(to_full));
    // An earlier file is kept whole when a report cannot be made.
    const fs::path kept = dir_.path() / "kept.csv";
    std::ofstream(kept) << "earlier";
    daemon_->signal(SIGTERM);
    daemon_->wait();
    daemon_.reset();
    const Result unreachable = report({"report", "assignments", "-o", kept.string()});
    EXPECT_EQ(unreachable.exit_status, 3) << unreachable.err;
    EXPECT_EQ(file_text(kept), "earlier");
    // Offline still works once the daemon is gone.
    EXPECT_EQ(report({"report", "assignments", "-o", kept.string()}, false).exit_status, 0);
    EXPECT_NE(file_text(kept).find("CAM-3"), std::string::npos);
}

TEST_F(CradlectlReport, OfficersAreImportedExportedAndNamedInTheReport) {
    ASSERT_NO_FATAL_FAILURE(start_daemon_and_wait_until_idle());
    const fs::path bad = dir_.path() / "bad.csv";
    std::ofstream(bad, std::ios::binary) << "badge,name,team\r\nB-7,Officer B,一组\r\n,Nobody,\r\n";
    const Result refused = cradlectl({"import", "officers", bad.string()});
    EXPECT_EQ(refused.exit_status, 2);
    EXPECT_NE(refused.err.find("line 3: badge is empty"), std::string::npos) << refused.err;
    EXPECT_EQ(cradlectl({"export", "officers"}).out, "badge,name,team,updated_at\r\n");

    const fs::path roster = dir_.path() / "roster.csv";
    std::ofstream(roster, std::ios::binary)
        << "badge,name,team\r\nB-7,Officer B,一组\r\nB-8,\"Li, Na\",\r\n";
    const Result imported = cradlectl({"import", "officers", roster.string()});
    ASSERT_EQ(imported.exit_status, 0) << imported.err;
    EXPECT_EQ(imported.out, "import: 2 officers added or changed, 0 unchanged\n");
    EXPECT_EQ(cradlectl({"import", "officers", roster.string()}).out,
              "import: 0 officers added or changed, 2 unchanged\n");

    const fs::path exported = dir_.path() / "exported.csv";
    ASSERT_EQ(cradlectl({"export", "officers", "-o", exported.string()}).exit_status, 0);
    const std::vector<ctl::CsvRecord> records = ctl::parse_csv(file_text(exported));
    ASSERT_EQ(records.size(), 3u);
    EXPECT_EQ(records[1].fields[0], "B-7");
    EXPECT_EQ(records[1].fields[2], "一组");
    EXPECT_EQ(records[2].fields[1], "Li, Na");
    EXPECT_EQ(offline({"export", "officers"}).out, file_text(exported));

    // The register's officer "Officer B" is known to the roster: the report names the badge.
    const Json report_json = json_report({"report", "assignments"});
    const std::string officer =
        row_of(*section_of(report_json, "devices"), "CAM-1")->at("officer").get<std::string>();
    EXPECT_NE(officer.find("Officer B"), std::string::npos) << officer;
    EXPECT_NE(officer.find("B-7"), std::string::npos) << officer;
}

}  // namespace
}  // namespace cradle::test
