// SPDX-License-Identifier: Apache-2.0
// The assignment and dock reports built from known facts and read back as a custodian or a
// program would: the CSV parsed, the JSON parsed, the PDF's text through pdftotext. Readiness
// (the low-battery camera not ready, with its reason), the unregistered camera, the changes of
// exactly the period, attribution disagreements, and local times across midnight and daylight
// saving changes.
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "reports/builders.hpp"
#include "reports/csv.hpp"
#include "reports/json.hpp"
#include "reports/local_time.hpp"
#include "reports/pdf.hpp"
#include "reports/translation.hpp"
#include "tests/support/in_time_zone.hpp"
#include "tests/support/json.hpp"
#include "tests/support/pdf_text.hpp"

namespace cradle::reports {
namespace {

using test::elements;
using test::Json;
using test::parse_json;
using test::pdf_text;

// ---- Reading the outputs back -------------------------------------------------------------

// RFC 4180 records (after the byte order mark): fields split at commas, quoted fields with
// doubled quotes and line breaks inside.
std::vector<std::vector<std::string>> parse_csv(const std::string& csv) {
    const std::string bom = "\xEF\xBB\xBF";
    if (csv.compare(0, bom.size(), bom) != 0) {
        throw std::runtime_error("no byte order mark");
    }
    std::vector<std::vector<std::string>> records;
    std::vector<std::string> record;
    std::string field;
    bool quoted = false;
    for (std::size_t i = bom.size(); i < csv.size(); ++i) {
        char c = csv[i];
        if (quoted) {
            if (c == '"' && i + 1 < csv.size() && csv[i + 1] == '"') {
                field += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            record.push_back(field);
            field.clear();
        } else if (c == '\r' && i + 1 < csv.size() && csv[i + 1] == '\n') {
            record.push_back(field);
            field.clear();
            records.push_back(record);
            record.clear();
            ++i;
        } else {
            field += c;
        }
    }
    if (quoted || !field.empty() || !record.empty()) {
        throw std::runtime_error("CSV does not end with a complete record");
    }
    return records;
}

std::string without_spaces(const std::string& text) {
    std::string out;
    for (char c : text) {
        if (c != ' ') {
            out += c;
        }
    }
    return out;
}

// ---- The facts ----------------------------------------------------------------------------

using test::InTimeZone;

constexpr std::int64_t generated = 1'775'000'000;  // 2026-03-31 23:33:20 UTC
// 2026-03-28 23:30:00 UTC: 00:30 on the 29th in Berlin.
constexpr std::int64_t late_dock = 1'774'740'600;
constexpr const char* low_battery_verdict = "not ready: battery 35% (needs 80%)";
constexpr const char* unregistered_verdict =
    "needs custodian: unregistered device: footage archived and wiped, register it";

DeviceFacts device(const std::string& serial, const std::string& custodian,
                   const std::string& officer) {
    DeviceFacts facts;
    facts.serial = serial;
    facts.model = "DSJ-Y8";
    facts.firmware = "2.1.0";
    facts.registered = true;
    facts.custodian = custodian;
    facts.officer = officer;
    facts.head = "李建国";
    facts.first_seen = late_dock - 30 * 86'400;
    facts.last_seen = late_dock;
    facts.last_offload = late_dock + 600;
    return facts;
}

DockFacts dock(const std::string& serial, std::int64_t started_at, int battery,
               const std::string& outcome) {
    DockFacts facts;
    facts.dock_id = started_at;
    facts.serial = serial;
    facts.bay = 3;
    facts.started_at = started_at;
    facts.ended_at = started_at + 1800;
    facts.outcome = outcome;
    facts.health_checked = true;
    facts.battery_percent = battery;
    facts.charging = true;
    return facts;
}

ChangeFacts change(const std::string& serial, std::int64_t at, const std::string& action) {
    ChangeFacts facts;
    facts.serial = serial;
    facts.at = at;
    facts.action = action;
    facts.custodian = "陈静";
    facts.officer = "0388";
    facts.head = "李建国";
    facts.previous_custodian = "陈静";
    facts.previous_officer = "张伟";
    facts.previous_head = "李建国";
    facts.changed_by = "uid 1000 (chen)";
    facts.reason = "shift change, " + serial;
    return facts;
}

// March 2026 in Berlin: a register of five cameras, one of them not ready for a low battery,
// one retired, one never registered.
AssignmentsInput march_in_berlin() {
    AssignmentsInput input;
    input.cradle = "cradle-01 东城分局";
    input.period = {local_day("2026-03-01")->from, local_day("2026-03-31")->to};
    input.officers = {{"0457", "张伟", "一组"}, {"0388", "Anna Schmidt", "二组"}};

    input.devices.push_back(device("BWC-0002", "Peter Miller", "0388"));
    input.devices.push_back(device("BWC-0001", "陈静", "张伟"));
    DeviceFacts retired = device("BWC-0003", "陈静", "pool");
    retired.retired = true;
    retired.retired_at = late_dock - 86'400;
    input.devices.push_back(retired);
    DeviceFacts stranger;
    stranger.serial = "UNK-7781";
    stranger.model = "BX-9";
    stranger.firmware = "0.9";
    stranger.first_seen = late_dock - 7200;
    stranger.last_seen = late_dock - 3600;
    input.devices.push_back(stranger);
    input.devices.push_back(device("BWC-0004", "陈静", "Tom O'Brien, 交警"));

    input.last_docks.push_back(dock("BWC-0001", late_dock, 95, "ready for duty"));
    DockFacts weak = dock("BWC-0002", late_dock - 3600, 35, low_battery_verdict);
    weak.faults = "lens cover; battery ageing";
    input.last_docks.push_back(weak);
    input.last_docks.push_back(dock("UNK-7781", late_dock - 3600, 80, unregistered_verdict));

    input.readiness.push_back({"BWC-0001", late_dock + 900, true, "ready for duty"});
    input.readiness.push_back({"BWC-0002", late_dock - 1800, false, low_battery_verdict});
    input.readiness.push_back({"UNK-7781", late_dock - 1800, false, unregistered_verdict});

    // Both bounds of the period: the first moment is in, the moment after the last is not.
    input.changes.push_back(change("BWC-BEFORE", input.period.from - 1, "changed"));
    input.changes.push_back(change("BWC-FIRST", input.period.from, "registered"));
    input.changes.back().previous_custodian.clear();
    input.changes.back().previous_officer.clear();
    input.changes.back().previous_head.clear();
    input.changes.push_back(change("BWC-0002", late_dock, "reassigned"));
    input.changes.push_back(change("BWC-LAST", input.period.to - 1, "retired"));
    input.changes.back().officer = input.changes.back().previous_officer;
    input.changes.push_back(change("BWC-AFTER", input.period.to, "reinstated"));

    RecordingFacts disagreement;
    disagreement.id = 41;
    disagreement.serial = "BWC-0001";
    disagreement.name = "VID_0041.MP4";
    disagreement.size = 734'003'200;
    disagreement.captured_at = late_dock - 5 * 3600;
    disagreement.archived_at = late_dock + 300;
    disagreement.officer = "张伟";
    disagreement.camera_officer_id = "0388";
    disagreement.attribution_disagrees = true;
    input.disagreements.push_back(disagreement);
    return input;
}

// ---- The fixture: language and zone per test ----------------------------------------------

class ReportBuilders : public ::testing::Test {
  protected:
    void SetUp() override { in_language("C"); }
    void TearDown() override {
        for (const char* name : {"LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"}) {
            unsetenv(name);
        }
        use_language_from_environment(CRADLED_BUILD_LOCALE_DIR);
    }
    static void in_language(const char* language) {
        for (const char* name : {"LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"}) {
            unsetenv(name);
        }
        if (std::string(language) == "C") {
            setenv("LC_ALL", "C", 1);
        } else {
            setenv("LANGUAGE", language, 1);
        }
        use_language_from_environment(CRADLED_BUILD_LOCALE_DIR);
    }

    InTimeZone berlin_{"Europe/Berlin"};
};

const Section& section_of(const Report& report, const std::string& key) {
    for (const Section& section : report.sections) {
        if (section.key == key) {
            return section;
        }
    }
    throw std::runtime_error("no section " + key);
}

std::vector<std::string> keys_of(const Section& section) {
    std::vector<std::string> keys;
    for (const Column& column : section.table.columns) {
        keys.push_back(column.key);
    }
    return keys;
}

// A CSV block's rows as maps from column key to field, the keys taken from the report.
std::vector<std::map<std::string, std::string>> csv_rows(const Report& report,
                                                         const std::string& section_key) {
    std::vector<std::string> keys = keys_of(section_of(report, section_key));
    std::vector<std::map<std::string, std::string>> rows;
    for (const auto& record : parse_csv(render_csv(report))) {
        if (record.empty() || record[0] != section_key) {
            continue;
        }
        EXPECT_EQ(record.size(), keys.size() + 1) << section_key;
        std::map<std::string, std::string> row;
        for (std::size_t i = 0; i < keys.size() && i + 1 < record.size(); ++i) {
            row[keys[i]] = record[i + 1];
        }
        rows.push_back(row);
    }
    return rows;
}

const Json& json_section(const Json& document, const std::string& key) {
    for (const Json& section : elements(document.at("sections"))) {
        if (section.at("section").get<std::string>() == key) {
            return section;
        }
    }
    throw std::runtime_error("no JSON section " + key);
}

const Json& json_row(const Json& section, const std::string& serial) {
    for (const Json& row : elements(section.at("rows"))) {
        if (row.at("serial").get<std::string>() == serial) {
            return row;
        }
    }
    throw std::runtime_error("no JSON row for " + serial);
}

// ---- The assignment report ----------------------------------------------------------------

TEST_F(ReportBuilders, AssignmentColumnKeysAreTheDocumentedOnes) {
    Report report = build_assignments_report(march_in_berlin(), generated);
    EXPECT_EQ(report.key, "assignments");
    ASSERT_EQ(report.sections.size(), 4u);
    EXPECT_EQ(keys_of(section_of(report, "devices")),
              (std::vector<std::string>{"serial", "model", "firmware", "custodian", "officer",
                                        "head", "status", "last_dock", "last_offload",
                                        "battery_percent", "faults", "readiness"}));
    EXPECT_EQ(keys_of(section_of(report, "unregistered")),
              (std::vector<std::string>{"serial", "model", "firmware", "first_seen", "last_seen",
                                        "status"}));
    EXPECT_EQ(
        keys_of(section_of(report, "changes")),
        (std::vector<std::string>{"when", "serial", "action", "change", "changed_by", "reason"}));
    EXPECT_EQ(keys_of(section_of(report, "attribution")),
              (std::vector<std::string>{"serial", "recording", "captured", "officer",
                                        "camera_officer_id"}));
    for (const Section& section : report.sections) {
        EXPECT_TRUE(section.note.has_value()) << section.key;
        for (const auto& row : section.table.rows) {
            EXPECT_EQ(row.size(), section.table.columns.size()) << section.key;
        }
    }
}

TEST_F(ReportBuilders, SubtitleNamesThePeriodInLocalDatesAndTheCradle) {
    Report report = build_assignments_report(march_in_berlin(), generated);
    EXPECT_EQ(report.title, "Device assignments");
    EXPECT_EQ(report.subtitle, "Period: 2026-03-01 – 2026-03-31 · Cradle: cradle-01 东城分局");
}

TEST_F(ReportBuilders, CsvListsEveryDeviceWithItsEntryAndReadiness) {
    Report report = build_assignments_report(march_in_berlin(), generated);
    auto rows = csv_rows(report, "devices");
    ASSERT_EQ(rows.size(), 5u);
    std::vector<std::string> serials;
    for (const auto& row : rows) {
        serials.push_back(row.at("serial"));
    }
    EXPECT_EQ(serials, (std::vector<std::string>{"BWC-0001", "BWC-0002", "BWC-0003", "BWC-0004",
                                                 "UNK-7781"}));

    const auto& ready = rows[0];
    EXPECT_EQ(ready.at("custodian"), "陈静");
    EXPECT_EQ(ready.at("officer"), "张伟 (0457)");  // a roster name, with its badge
    EXPECT_EQ(ready.at("head"), "李建国");
    EXPECT_EQ(ready.at("status"), "registered");
    EXPECT_EQ(ready.at("battery_percent"), "95");
    EXPECT_EQ(ready.at("readiness"), "ready for duty");

    const auto& weak = rows[1];
    EXPECT_EQ(weak.at("officer"), "Anna Schmidt (0388)");  // a roster badge, with its name
    EXPECT_EQ(weak.at("battery_percent"), "35");
    EXPECT_EQ(weak.at("faults"), "lens cover; battery ageing");
    EXPECT_EQ(weak.at("readiness"), low_battery_verdict);

    EXPECT_EQ(rows[2].at("status"), "retired");
    EXPECT_EQ(rows[2].at("officer"), "pool");
    EXPECT_EQ(rows[2].at("last_dock"), "2026-03-29T00:30:00+01:00");  // from last_seen
    EXPECT_EQ(rows[2].at("battery_percent"), "");                     // never health-checked
    EXPECT_EQ(rows[3].at("officer"), "Tom O'Brien, 交警");            // not in the roster

    const auto& stranger = rows[4];
    EXPECT_EQ(stranger.at("status"), "unregistered — needs custodian");
    EXPECT_EQ(stranger.at("custodian"), "");
    EXPECT_EQ(stranger.at("readiness"), unregistered_verdict);
}

TEST_F(ReportBuilders, LateUtcDockShowsOnTheNextLocalDay) {
    Report report = build_assignments_report(march_in_berlin(), generated);
    auto rows = csv_rows(report, "devices");
    ASSERT_FALSE(rows.empty());
    EXPECT_EQ(rows[0].at("last_dock"), "2026-03-29T00:30:00+01:00");
    EXPECT_EQ(rows[0].at("last_offload"), "2026-03-29T00:40:00+01:00");

    Json document = parse_json(render_json(report));
    const Json& last_dock = json_row(json_section(document, "devices"), "BWC-0001").at("last_dock");
    EXPECT_EQ(last_dock.at("utc"), "2026-03-28T23:30:00Z");
    EXPECT_EQ(last_dock.at("local"), "2026-03-29 00:30:00 CET");
}

TEST_F(ReportBuilders, JsonHoldsTheSameFactsWithTypedValues) {
    Json document = parse_json(render_json(build_assignments_report(march_in_berlin(), generated)));
    EXPECT_EQ(document.at("report"), "assignments");
    const Json& devices = json_section(document, "devices");
    EXPECT_EQ(elements(devices.at("rows")).size(), 5u);
    const Json& weak = json_row(devices, "BWC-0002");
    EXPECT_EQ(test::number(weak.at("battery_percent")), 35);
    EXPECT_EQ(weak.at("readiness"), low_battery_verdict);
    EXPECT_EQ(weak.at("custodian"), "Peter Miller");
    EXPECT_EQ(json_row(devices, "BWC-0001").at("readiness"), "ready for duty");
    EXPECT_EQ(json_row(devices, "UNK-7781").at("status"), "unregistered — needs custodian");
    EXPECT_EQ(json_row(devices, "BWC-0003").at("last_offload").at("local"),
              "2026-03-29 00:40:00 CET");

    const Json& unregistered = json_section(document, "unregistered");
    ASSERT_EQ(elements(unregistered.at("rows")).size(), 1u);
    const Json& stranger = elements(unregistered.at("rows"))[0];
    EXPECT_EQ(stranger.at("serial"), "UNK-7781");
    EXPECT_EQ(stranger.at("model"), "BX-9");
    EXPECT_EQ(stranger.at("first_seen").at("utc"), "2026-03-28T21:30:00Z");
    EXPECT_EQ(stranger.at("last_seen").at("local"), "2026-03-28 23:30:00 CET");
    EXPECT_EQ(stranger.at("status"), "needs custodian");
}

TEST_F(ReportBuilders, ChangesAreExactlyThoseOfThePeriodOldestFirst) {
    AssignmentsInput input = march_in_berlin();
    Report report = build_assignments_report(input, generated);
    auto rows = csv_rows(report, "changes");
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[0].at("serial"), "BWC-FIRST");
    EXPECT_EQ(rows[0].at("when"), "2026-03-01T00:00:00+01:00");
    EXPECT_EQ(rows[0].at("action"), "registered");
    EXPECT_EQ(rows[0].at("change"),
              "Custodian: 陈静; Officer: Anna Schmidt (0388); Responsible head: 李建国");
    EXPECT_EQ(rows[1].at("serial"), "BWC-0002");
    EXPECT_EQ(rows[1].at("action"), "reassigned");
    EXPECT_EQ(rows[1].at("change"), "Officer: 张伟 (0457) → Anna Schmidt (0388)");
    EXPECT_EQ(rows[1].at("changed_by"), "uid 1000 (chen)");
    EXPECT_EQ(rows[1].at("reason"), "shift change, BWC-0002");
    EXPECT_EQ(rows[2].at("serial"), "BWC-LAST");
    EXPECT_EQ(rows[2].at("when"), "2026-03-31T23:59:59+02:00");  // summer time since the 29th
    EXPECT_EQ(rows[2].at("action"), "retired");
    EXPECT_EQ(rows[2].at("change"), "");  // the entry itself did not change
}

TEST_F(ReportBuilders, AttributionDisagreementNamesBothOfficers) {
    AssignmentsInput input = march_in_berlin();
    RecordingFacts outside = input.disagreements[0];
    outside.captured_at = input.period.to;  // captured after the period
    input.disagreements.push_back(outside);
    Json document = parse_json(render_json(build_assignments_report(input, generated)));
    const auto& rows = elements(json_section(document, "attribution").at("rows"));
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].at("serial"), "BWC-0001");
    EXPECT_EQ(rows[0].at("recording"), "VID_0041.MP4");
    EXPECT_EQ(rows[0].at("captured").at("local"), "2026-03-28 19:30:00 CET");
    EXPECT_EQ(rows[0].at("officer"), "张伟 (0457)");
    EXPECT_EQ(rows[0].at("camera_officer_id"), "Anna Schmidt (0388)");
}

TEST_F(ReportBuilders, RosterBadgesMatchIgnoringCaseAndAmbiguousNamesStayAsStored) {
    AssignmentsInput input = march_in_berlin();
    input.officers = {{"A0388", "Anna Schmidt", "二组"},
                      {"0457", "张伟", "一组"},
                      {"0999", "张伟", "三组"}};  // two officers of the same name
    input.disagreements[0].camera_officer_id = "a0388";
    Json document = parse_json(render_json(build_assignments_report(input, generated)));
    const auto& rows = elements(json_section(document, "attribution").at("rows"));
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0].at("camera_officer_id"), "Anna Schmidt (A0388)");
    EXPECT_EQ(rows[0].at("officer"), "张伟");  // which 张伟 the name alone does not say
    const Json& devices = json_section(document, "devices");
    EXPECT_EQ(json_row(devices, "BWC-0002").at("officer"), "0388");  // not on this roster
}

TEST_F(ReportBuilders, ChineseReportTranslatesFixedTextsAndKeepsReasons) {
    in_language("zh_CN");
    Report report = build_assignments_report(march_in_berlin(), generated);
    EXPECT_EQ(report.title, "设备分配");
    EXPECT_EQ(report.subtitle, "期间：2026-03-01 – 2026-03-31 · 充电座：cradle-01 东城分局");
    auto devices = csv_rows(report, "devices");
    ASSERT_EQ(devices.size(), 5u);
    EXPECT_EQ(devices[0].at("readiness"), "可以执勤");
    EXPECT_EQ(devices[0].at("status"), "已登记");
    EXPECT_EQ(devices[1].at("readiness"), "未就绪：battery 35% (needs 80%)");
    EXPECT_EQ(devices[2].at("status"), "已停用");
    EXPECT_EQ(devices[2].at("officer"), "公用");
    EXPECT_EQ(devices[4].at("status"), "未登记 — 需保管人处理");
    EXPECT_EQ(devices[4].at("readiness"),
              "需保管人处理：unregistered device: footage archived and wiped, register it");
    auto changes = csv_rows(report, "changes");
    ASSERT_EQ(changes.size(), 3u);
    EXPECT_EQ(changes[0].at("action"), "登记");
    EXPECT_EQ(changes[1].at("action"), "改派");
    EXPECT_EQ(changes[1].at("change"), "使用民警：张伟 (0457) → Anna Schmidt (0388)");
    EXPECT_EQ(changes[2].at("action"), "停用");
    EXPECT_EQ(section_of(report, "attribution").heading, "录像归属不一致");
    EXPECT_EQ(section_of(report, "devices").table.columns[5].heading, "责任领导");
}

TEST_F(ReportBuilders, ADockUnderWayOrCutShortIsSaidInTheReadersLanguage) {
    AssignmentsInput input = march_in_berlin();
    ASSERT_GE(input.readiness.size(), 2u);
    input.readiness[0].verdict = "docked: being checked";
    input.readiness[1].verdict = "interrupted";
    auto devices = csv_rows(build_assignments_report(input, generated), "devices");
    EXPECT_EQ(devices[0].at("readiness"), "docked: being checked");
    EXPECT_EQ(devices[1].at("readiness"),
              "interrupted (the dock was cut short; dock the camera again)");
    in_language("zh_CN");
    devices = csv_rows(build_assignments_report(input, generated), "devices");
    EXPECT_EQ(devices[0].at("readiness"), "已接入：检查中");
    EXPECT_EQ(devices[1].at("readiness"), "已中断（接入过程被打断，请重新接入记录仪）");
}

TEST_F(ReportBuilders, ChinesePdfShowsNamesHeadingsAndTheNotReadyReason) {
    in_language("zh_CN");
    std::string page = pdf_text(render_pdf(build_assignments_report(march_in_berlin(), generated)));
    for (const char* expected : {"设备分配",
                                 "充电座：cradle-01东城分局",
                                 "设备",
                                 "发现的未登记设备",
                                 "期间内的变更",
                                 "录像归属不一致",
                                 "序列号",
                                 "保管人",
                                 "使用民警",
                                 "责任领导",
                                 "备勤状态",
                                 "BWC-0001",
                                 "BWC-0002",
                                 "UNK-7781",
                                 "陈静",
                                 "PeterMiller",
                                 "AnnaSchmidt(0388)",
                                 "张伟(0457)",
                                 "李建国",
                                 "可以执勤",
                                 "未就绪：battery35%(needs80%)",
                                 "需保管人处理",
                                 "改派",
                                 "VID_0041.MP4",
                                 "2026-03-2900:30:00CET",
                                 "第1页"}) {
        EXPECT_NE(page.find(without_spaces(expected)), std::string::npos)
            << expected << " missing in:\n"
            << page;
    }
    EXPECT_EQ(page.find("BWC-BEFORE"), std::string::npos);
    EXPECT_EQ(page.find("BWC-AFTER"), std::string::npos);
}

TEST_F(ReportBuilders, EnglishPdfShowsTheReport) {
    std::string page = pdf_text(render_pdf(build_assignments_report(march_in_berlin(), generated)));
    for (const char* expected :
         {"Device assignments", "Unregistered devices seen", "Changes in the period",
          "Attribution disagreements", "BWC-0002", "Peter Miller", "not ready: battery 35%",
          "unregistered — needs custodian", "reassigned", "UNK-7781", "page 1 of"}) {
        EXPECT_NE(page.find(without_spaces(expected)), std::string::npos)
            << expected << " missing in:\n"
            << page;
    }
}

TEST_F(ReportBuilders, EmptyRegisterStillHasEverySectionSayingNoEntries) {
    AssignmentsInput input;
    input.cradle = "cradle-01";
    input.period = *local_day("2026-03-29");
    Report report = build_assignments_report(input, generated);
    ASSERT_EQ(report.sections.size(), 4u);
    EXPECT_EQ(report.subtitle, "Period: 2026-03-29 – 2026-03-29 · Cradle: cradle-01");
    for (const Section& section : report.sections) {
        EXPECT_TRUE(section.table.rows.empty()) << section.key;
    }
    std::string page = pdf_text(render_pdf(report));
    std::size_t count = 0;
    for (std::size_t at = page.find("Noentries."); at != std::string::npos;
         at = page.find("Noentries.", at + 1)) {
        ++count;
    }
    EXPECT_EQ(count, 4u) << page;
    Json document = parse_json(render_json(report));
    EXPECT_EQ(elements(document.at("sections")).size(), 4u);
    EXPECT_TRUE(elements(json_section(document, "changes").at("rows")).empty());
}

// ---- The dock report ----------------------------------------------------------------------

// The spring change day in Berlin (23 hours): one dock before the change, one after.
DockDayInput spring_change_day() {
    DockDayInput input;
    input.cradle = "cradle-01";
    input.date = "2026-03-29";
    input.period = *local_day(input.date);
    input.officers = {{"0457", "张伟", "一组"}, {"0388", "Anna Schmidt", "二组"}};
    input.devices = {device("BWC-0001", "陈静", "张伟"),
                     device("BWC-0002", "Peter Miller", "0388")};

    DockFacts early = dock("BWC-0001", input.period.from + 30 * 60, 95, "ready for duty");
    early.bay = 1;
    early.clock_measured = true;
    early.clock_drift_ms = 7'040;
    early.clock_corrected = true;
    early.recordings_archived = 2;
    early.bytes_archived = 1'468'006'400;
    early.recordings_wiped = 2;
    DockFacts late = dock("BWC-0002", 1'774'747'800, 35, low_battery_verdict);  // 03:30 CEST
    late.bay = 4;
    late.charging = false;
    late.clock_measured = true;
    late.clock_drift_ms = -350;
    late.clock_corrected = false;
    input.docks = {late, early};  // the builder orders them by time

    RecordingFacts kept;
    kept.id = 7;
    kept.serial = "BWC-0001";
    kept.name = "VID_0007.MP4";
    kept.size = 734'003'200;
    kept.captured_at = input.period.from - 3600;
    kept.archived_at = early.started_at + 300;
    kept.wiped_at = early.started_at + 400;
    kept.officer = "张伟";
    kept.camera_officer_id = "0457";
    RecordingFacts disputed = kept;
    disputed.id = 8;
    disputed.name = "VID_0008.MP4";
    disputed.camera_officer_id = "0388";
    disputed.attribution_disagrees = true;
    disputed.wiped_at = 0;  // archived, still on the camera
    input.recordings = {kept, disputed};
    return input;
}

TEST_F(ReportBuilders, DockColumnKeysAreTheDocumentedOnes) {
    Report report = build_dock_report(spring_change_day(), generated);
    EXPECT_EQ(report.key, "dock");
    EXPECT_EQ(report.title, "Dock report");
    EXPECT_EQ(report.subtitle, "Date: 2026-03-29 · Cradle: cradle-01");
    ASSERT_EQ(report.sections.size(), 2u);
    EXPECT_EQ(keys_of(section_of(report, "docks")),
              (std::vector<std::string>{"docked_at", "bay", "serial", "officer", "battery_percent",
                                        "charging", "faults", "clock_drift", "clock_corrected",
                                        "recordings_archived", "bytes_archived", "recordings_wiped",
                                        "readiness"}));
    EXPECT_EQ(
        keys_of(section_of(report, "recordings")),
        (std::vector<std::string>{"serial", "recording", "captured", "size_bytes", "officer",
                                  "camera_officer_id", "disagrees", "archived_at", "wiped_at"}));
}

TEST_F(ReportBuilders, DockDayAcrossTheSpringChangeShowsBothOffsets) {
    Report report = build_dock_report(spring_change_day(), generated);
    auto docks = csv_rows(report, "docks");
    ASSERT_EQ(docks.size(), 2u);
    EXPECT_EQ(docks[0].at("docked_at"), "2026-03-29T00:30:00+01:00");
    EXPECT_EQ(docks[0].at("bay"), "1");
    EXPECT_EQ(docks[0].at("officer"), "张伟 (0457)");
    EXPECT_EQ(docks[0].at("clock_drift"), "'+7.0 s") << "kept as text in a spreadsheet";
    EXPECT_EQ(docks[0].at("clock_corrected"), "yes");
    EXPECT_EQ(docks[0].at("recordings_archived"), "2");
    EXPECT_EQ(docks[0].at("bytes_archived"), "1468006400");
    EXPECT_EQ(docks[0].at("recordings_wiped"), "2");
    EXPECT_EQ(docks[0].at("readiness"), "ready for duty");
    EXPECT_EQ(docks[1].at("docked_at"), "2026-03-29T03:30:00+02:00");
    EXPECT_EQ(docks[1].at("officer"), "Anna Schmidt (0388)");
    EXPECT_EQ(docks[1].at("battery_percent"), "35");
    EXPECT_EQ(docks[1].at("charging"), "no");
    EXPECT_EQ(docks[1].at("clock_drift"), "'-350 ms");
    EXPECT_EQ(docks[1].at("clock_corrected"), "no");
    EXPECT_EQ(docks[1].at("readiness"), low_battery_verdict);
}

TEST_F(ReportBuilders, DockRecordingsSayWhoseFootageAndWhetherWiped) {
    Json document = parse_json(render_json(build_dock_report(spring_change_day(), generated)));
    const auto& rows = elements(json_section(document, "recordings").at("rows"));
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].at("recording"), "VID_0007.MP4");
    EXPECT_EQ(test::number(rows[0].at("size_bytes")), 734'003'200);
    EXPECT_EQ(rows[0].at("captured").at("local"), "2026-03-28 23:00:00 CET");
    EXPECT_EQ(rows[0].at("officer"), "张伟 (0457)");
    EXPECT_EQ(rows[0].at("camera_officer_id"), "张伟 (0457)");
    EXPECT_FALSE(rows[0].at("disagrees").get<bool>());
    EXPECT_EQ(rows[0].at("wiped_at").at("local"), "2026-03-29 00:36:40 CET");
    EXPECT_TRUE(rows[1].at("disagrees").get<bool>());
    EXPECT_EQ(rows[1].at("camera_officer_id"), "Anna Schmidt (0388)");
    EXPECT_EQ(rows[1].at("wiped_at"), "");  // still on the camera
    EXPECT_EQ(rows[1].at("archived_at").at("utc"), "2026-03-28T23:35:00Z");
}

TEST_F(ReportBuilders, DockDayOfTheAutumnChangeTellsTheRepeatedHourApart) {
    DockDayInput input = spring_change_day();
    input.date = "2026-10-25";
    input.period = *local_day(input.date);
    ASSERT_EQ(input.period.to - input.period.from, 25 * 3600);
    input.docks[0].started_at = 1'792'888'200;  // 00:30 UTC: 02:30 CEST
    input.docks[1].started_at = 1'792'891'800;  // 01:30 UTC: 02:30 CET, an hour later
    input.recordings.clear();
    auto docks = csv_rows(build_dock_report(input, generated), "docks");
    ASSERT_EQ(docks.size(), 2u);
    EXPECT_EQ(docks[0].at("docked_at"), "2026-10-25T02:30:00+02:00");
    EXPECT_EQ(docks[1].at("docked_at"), "2026-10-25T02:30:00+01:00");
}

TEST_F(ReportBuilders, ClockDriftIsReadableAtEveryScale) {
    DockDayInput input = spring_change_day();
    input.docks.resize(1);
    input.recordings.clear();
    std::vector<std::pair<std::int64_t, std::string>> cases = {{0, "+0 ms"},
                                                               {999, "+999 ms"},
                                                               {-1'500, "-1.5 s"},
                                                               {185'000, "+3 min 5 s"},
                                                               {-7'860'000, "-2 h 11 min"}};
    for (const auto& [drift, shown] : cases) {
        input.docks[0].clock_drift_ms = drift;
        auto docks = csv_rows(build_dock_report(input, generated), "docks");
        ASSERT_EQ(docks.size(), 1u);
        EXPECT_EQ(docks[0].at("clock_drift"), "'" + shown) << drift;
    }
    input.docks[0].clock_measured = false;
    auto docks = csv_rows(build_dock_report(input, generated), "docks");
    EXPECT_EQ(docks[0].at("clock_drift"), "");
    EXPECT_EQ(docks[0].at("clock_corrected"), "");
}

TEST_F(ReportBuilders, ChineseDockPdfShowsHeadingsAndReasons) {
    in_language("zh_CN");
    std::string page = pdf_text(render_pdf(build_dock_report(spring_change_day(), generated)));
    for (const char* expected :
         {"充电座日报", "日期：2026-03-29", "接入记录", "当日归档或清除的录像", "时钟偏差",
          "BWC-0001", "BWC-0002", "张伟(0457)", "AnnaSchmidt(0388)", "+7.0s", "-350ms",
          "未就绪：battery35%(needs80%)", "可以执勤", "VID_0008.MP4", "2026-03-2903:30:00CEST"}) {
        EXPECT_NE(page.find(without_spaces(expected)), std::string::npos)
            << expected << " missing in:\n"
            << page;
    }
}

TEST_F(ReportBuilders, EmptyDayStillHasBothSections) {
    DockDayInput input;
    input.cradle = "cradle-01";
    input.date = "2026-03-30";
    input.period = *local_day(input.date);
    Report report = build_dock_report(input, generated);
    ASSERT_EQ(report.sections.size(), 2u);
    std::string page = pdf_text(render_pdf(report));
    EXPECT_NE(page.find("Docks"), std::string::npos);
    EXPECT_NE(page.find("Noentries."), std::string::npos);
    EXPECT_NE(page.find("Noentries.", page.find("Noentries.") + 1), std::string::npos) << page;
    auto records = parse_csv(render_csv(report));
    int headers = 0;
    for (const auto& record : records) {
        headers += !record.empty() && record[0] == "section";
    }
    EXPECT_EQ(headers, 3);  // the report's own block and one per section, rows or not
}

}  // namespace
}  // namespace cradle::reports
