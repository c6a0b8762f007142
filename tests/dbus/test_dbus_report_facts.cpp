// SPDX-License-Identifier: Apache-2.0
// The report facts over D-Bus (GetAssignmentsFacts, GetDockDayFacts), the officers' roster
// (ListOfficers, ImportOfficers) and a device's readiness (Readiness, ReadinessAt): what the
// daemon reads from its catalog reaches the client field by field.
#include "tests/dbus/test_dbus_harness.hpp"

#include "core/catalog/catalog.hpp"
#include "core/catalog/report_queries.hpp"
#include "protocol/dbus_report_facts.hpp"
#include "tests/support/catalog_rows.hpp"

#include <grp.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace cradle::test {
namespace {

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// ---- Field by field, so that a failure names the field.

void expect_same(const reports::DeviceFacts& a, const reports::DeviceFacts& b) {
    SCOPED_TRACE("device " + a.serial);
    EXPECT_EQ(a.serial, b.serial);
    EXPECT_EQ(a.model, b.model);
    EXPECT_EQ(a.firmware, b.firmware);
    EXPECT_EQ(a.registered, b.registered);
    EXPECT_EQ(a.retired, b.retired);
    EXPECT_EQ(a.retired_at, b.retired_at);
    EXPECT_EQ(a.custodian, b.custodian);
    EXPECT_EQ(a.officer, b.officer);
    EXPECT_EQ(a.head, b.head);
    EXPECT_EQ(a.first_seen, b.first_seen);
    EXPECT_EQ(a.last_seen, b.last_seen);
    EXPECT_EQ(a.last_offload, b.last_offload);
}

void expect_same(const reports::DockFacts& a, const reports::DockFacts& b) {
    SCOPED_TRACE("dock " + std::to_string(a.dock_id));
    EXPECT_EQ(a.dock_id, b.dock_id);
    EXPECT_EQ(a.serial, b.serial);
    EXPECT_EQ(a.bay, b.bay);
    EXPECT_EQ(a.started_at, b.started_at);
    EXPECT_EQ(a.ended_at, b.ended_at);
    EXPECT_EQ(a.outcome, b.outcome);
    EXPECT_EQ(a.health_checked, b.health_checked);
    EXPECT_EQ(a.battery_percent, b.battery_percent);
    EXPECT_EQ(a.charging, b.charging);
    EXPECT_EQ(a.faults, b.faults);
    EXPECT_EQ(a.storage_free_bytes, b.storage_free_bytes);
    EXPECT_EQ(a.clock_measured, b.clock_measured);
    EXPECT_EQ(a.clock_drift_ms, b.clock_drift_ms);
    EXPECT_EQ(a.clock_corrected, b.clock_corrected);
    EXPECT_EQ(a.clock_note, b.clock_note);
    EXPECT_EQ(a.recordings_archived, b.recordings_archived);
    EXPECT_EQ(a.bytes_archived, b.bytes_archived);
    EXPECT_EQ(a.recordings_wiped, b.recordings_wiped);
}

void expect_same(const reports::ReadinessFacts& a, const reports::ReadinessFacts& b) {
    SCOPED_TRACE("readiness " + a.serial);
    EXPECT_EQ(a.serial, b.serial);
    EXPECT_EQ(a.at, b.at);
    EXPECT_EQ(a.ready, b.ready);
    EXPECT_EQ(a.verdict, b.verdict);
}

void expect_same(const reports::RecordingFacts& a, const reports::RecordingFacts& b) {
    SCOPED_TRACE("recording " + std::to_string(a.id));
    EXPECT_EQ(a.id, b.id);
    EXPECT_EQ(a.serial, b.serial);
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.size, b.size);
    EXPECT_EQ(a.captured_at, b.captured_at);
    EXPECT_EQ(a.archived_at, b.archived_at);
    EXPECT_EQ(a.wiped_at, b.wiped_at);
    EXPECT_EQ(a.officer, b.officer);
    EXPECT_EQ(a.camera_officer_id, b.camera_officer_id);
    EXPECT_EQ(a.attribution_disagrees, b.attribution_disagrees);
}

void expect_same(const reports::ChangeFacts& a, const reports::ChangeFacts& b) {
    SCOPED_TRACE("change of " + a.serial);
    EXPECT_EQ(a.serial, b.serial);
    EXPECT_EQ(a.at, b.at);
    EXPECT_EQ(a.action, b.action);
    EXPECT_EQ(a.custodian, b.custodian);
    EXPECT_EQ(a.officer, b.officer);
    EXPECT_EQ(a.head, b.head);
    EXPECT_EQ(a.previous_custodian, b.previous_custodian);
    EXPECT_EQ(a.previous_officer, b.previous_officer);
    EXPECT_EQ(a.previous_head, b.previous_head);
    EXPECT_EQ(a.changed_by, b.changed_by);
    EXPECT_EQ(a.reason, b.reason);
}

void expect_same(const reports::OfficerFacts& a, const reports::OfficerFacts& b) {
    SCOPED_TRACE("officer " + a.badge);
    EXPECT_EQ(a.badge, b.badge);
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.team, b.team);
}

template <class Facts>
void expect_same(const std::vector<Facts>& a, const std::vector<Facts>& b, const char* what) {
    SCOPED_TRACE(what);
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) expect_same(a[i], b[i]);
}

void expect_same(const reports::AssignmentsInput& a, const reports::AssignmentsInput& b) {
    EXPECT_EQ(a.cradle, b.cradle);
    expect_same(a.devices, b.devices, "devices");
    expect_same(a.last_docks, b.last_docks, "last_docks");
    expect_same(a.readiness, b.readiness, "readiness");
    expect_same(a.changes, b.changes, "changes");
    expect_same(a.disagreements, b.disagreements, "disagreements");
    expect_same(a.officers, b.officers, "officers");
}

void expect_same(const reports::DockDayInput& a, const reports::DockDayInput& b) {
    EXPECT_EQ(a.cradle, b.cradle);
    expect_same(a.docks, b.docks, "docks");
    expect_same(a.recordings, b.recordings, "recordings");
    expect_same(a.devices, b.devices, "devices");
    expect_same(a.officers, b.officers, "officers");
}

// Facts in which every field differs from every other, so that two fields swapped on the wire
// cannot go unnoticed.
reports::AssignmentsInput distinct_assignments() {
    reports::AssignmentsInput in;
    in.cradle = "cradle-东区";
    in.devices.push_back({"BWC-1", "M1", "F1", true, true, 11, "看管人 王丽", "Officer 李娜",
                          "Head Zhao", 12, 13, 14});
    in.devices.push_back({"BWC-2", "M2", "F2", false, false, 0, "", "", "", 21, 22, 0});
    in.last_docks.push_back({31, "BWC-1", 4, 32, 33, "not ready: battery 35% (needs 80%)", true, 35,
                             true, "lens; door", 36, true, -37, true, "note 38", 39, 40, 41});
    in.readiness.push_back({"BWC-1", 51, false, "not ready: battery 35% (needs 80%)"});
    in.readiness.push_back({"BWC-2", 52, true, "ready for duty"});
    in.changes.push_back({"BWC-1", 61, "reassigned", "C1", "O1", "H1", "C0", "O0", "H0",
                          "uid 1000 (custodian)", "shift change, 换班"});
    in.disagreements.push_back(
        {71, "BWC-1", "VID_0072.MP4", 73, 74, 75, 76, "Officer 李娜", "0457", true});
    in.officers.push_back({"0457", "张伟", "一组"});
    in.officers.push_back({"0458", "Chen Jie", ""});
    return in;
}

reports::DockDayInput distinct_dock_day() {
    reports::AssignmentsInput a = distinct_assignments();
    reports::DockDayInput in;
    in.cradle = a.cradle;
    in.docks = a.last_docks;
    in.docks.push_back(
        {81, "BWC-2", 1, 82, 0, "", false, 0, false, "", 0, false, 0, false, "", 0, 0, 0});
    in.recordings = a.disagreements;
    in.recordings.push_back({91, "BWC-2", "a,\"b\"", 92, 93, 0, 0, "pool", "", false});
    in.devices = a.devices;
    in.officers = a.officers;
    return in;
}

// Appends with `append`, seals the message as the bus would, and reads it back with `read`.
template <class Facts>
Facts through_a_message(sd_bus* bus, const Facts& facts,
                        int (*append)(sd_bus_message*, const Facts&),
                        int (*read)(sd_bus_message*, Facts&)) {
    sd_bus_message* message = nullptr;
    EXPECT_GE(sd_bus_message_new_method_call(bus, &message, kService, kRoot, kManager, "X"), 0);
    EXPECT_GE(append(message, facts), 0);
    EXPECT_GE(sd_bus_message_seal(message, 1, 0), 0);
    EXPECT_GE(sd_bus_message_rewind(message, 1), 0);
    Facts back;
    EXPECT_GE(read(message, back), 0);
    EXPECT_EQ(sd_bus_message_at_end(message, 1), 1) << "nothing left unread";
    sd_bus_message_unref(message);
    return back;
}

TEST(DbusReportFacts, EveryFieldSurvivesTheWire) {
    PrivateBus bus;
    BusClient client(bus.address());
    const reports::AssignmentsInput assignments = distinct_assignments();
    expect_same(through_a_message(client.get(), assignments, &dbus::append_assignments_facts,
                                  &dbus::read_assignments_facts),
                assignments);
    const reports::DockDayInput day = distinct_dock_day();
    expect_same(through_a_message(client.get(), day, &dbus::append_dock_day_facts,
                                  &dbus::read_dock_day_facts),
                day);
}

// The service with two docked cameras: REG-1 (registered, battery low) and UNREG-1.
class DbusReportFactsOfAService : public ::testing::Test {
  protected:
    void SetUp() override {
        service.config.custodian_group = group_of_this_process();
        service.config.battery_min_percent = 80;
        low = service.camera("REG-1", 2, /*registered=*/false);  // REG-1 is configured already
        low.battery_percent = 35;
        unregistered = service.camera("UNREG-1", 1, /*registered=*/false);
        ASSERT_EQ(service.start(), "");
        client = std::make_unique<BusClient>(service.bus.address());
        service.plug(1, low);
        service.plug(2, unregistered);
        ASSERT_TRUE(client->wait_until([&] { return client->dock_finished.size() == 2; }));
    }

    static std::string group_of_this_process();

    reports::AssignmentsInput assignments_over_bus(reports::Period period) {
        CallResult result =
            call_manager(client->get(), "GetAssignmentsFacts", "xx", period.from, period.to);
        reports::AssignmentsInput facts;
        EXPECT_TRUE(result.ok()) << result.error_name << " " << result.error_message;
        if (result.ok()) {
            EXPECT_GE(dbus::read_assignments_facts(result.reply, facts), 0);
        }
        return facts;
    }

    Catalog catalog() const { return Catalog::open_read_only(service.state / "catalog.sqlite"); }

    ServiceOnBus service{2};
    hw::sim::CameraSpec low;
    hw::sim::CameraSpec unregistered;
    std::unique_ptr<BusClient> client;
};

std::string DbusReportFactsOfAService::group_of_this_process() {
    group* entry = ::getgrgid(::getegid());
    return entry ? entry->gr_name : "";
}

TEST_F(DbusReportFactsOfAService, AssignmentsFactsAreTheCatalogs) {
    const reports::Period period{0, unix_now() + 86'400};
    const reports::AssignmentsInput over_bus = assignments_over_bus(period);
    const reports::AssignmentsInput from_catalog =
        read_assignments_input(catalog(), period, over_bus.cradle);
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    EXPECT_EQ(over_bus.cradle, host);
    expect_same(over_bus, from_catalog);

    // And they say what happened: both cameras, the low battery, the unregistered one.
    auto device = [&](const std::string& serial) {
        auto found =
            std::find_if(over_bus.devices.begin(), over_bus.devices.end(),
                         [&](const reports::DeviceFacts& d) { return d.serial == serial; });
        return found == over_bus.devices.end() ? reports::DeviceFacts{} : *found;
    };
    EXPECT_TRUE(device("REG-1").registered);
    EXPECT_EQ(device("REG-1").custodian, "Custodian A");
    EXPECT_FALSE(device("UNREG-1").registered);
    EXPECT_NE(device("UNREG-1").last_seen, 0);
    auto dock = std::find_if(over_bus.last_docks.begin(), over_bus.last_docks.end(),
                             [](const reports::DockFacts& d) { return d.serial == "REG-1"; });
    ASSERT_NE(dock, over_bus.last_docks.end());
    EXPECT_EQ(dock->battery_percent, 35);
    EXPECT_EQ(dock->bay, 1);
    EXPECT_EQ(dock->recordings_archived, 2u);
    EXPECT_NE(dock->outcome.find("not ready"), std::string::npos) << dock->outcome;
}

TEST_F(DbusReportFactsOfAService, DockDayFactsAreTheCatalogs) {
    const reports::Period day{unix_now() - 86'400, unix_now() + 86'400};
    CallResult result =
        call_manager(client->get(), "GetDockDayFacts", "sxx", "2026-03-29", day.from, day.to);
    ASSERT_TRUE(result.ok()) << result.error_name << " " << result.error_message;
    reports::DockDayInput over_bus;
    ASSERT_GE(dbus::read_dock_day_facts(result.reply, over_bus), 0);
    const reports::DockDayInput from_catalog =
        read_dock_day_input(catalog(), "2026-03-29", day, over_bus.cradle);
    expect_same(over_bus, from_catalog);
    EXPECT_EQ(over_bus.docks.size(), 2u);
    EXPECT_EQ(over_bus.recordings.size(), 3u) << "two of REG-1, one of UNREG-1";
}

TEST_F(DbusReportFactsOfAService, APeriodMustBeOne) {
    sd_bus* bus = client->get();
    for (auto [from, to] : {std::pair<std::int64_t, std::int64_t>{-1, 10}, {10, 10}, {20, 10}}) {
        CallResult assignments = call_manager(bus, "GetAssignmentsFacts", "xx", from, to);
        EXPECT_EQ(assignments.error_name, "org.freedesktop.DBus.Error.InvalidArgs");
        CallResult dock = call_manager(bus, "GetDockDayFacts", "sxx", "2026-03-29", from, to);
        EXPECT_EQ(dock.error_name, "org.freedesktop.DBus.Error.InvalidArgs");
    }
    CallResult no_date =
        call_manager(bus, "GetDockDayFacts", "sxx", "", std::int64_t{0}, std::int64_t{10});
    EXPECT_EQ(no_date.error_name, "org.freedesktop.DBus.Error.InvalidArgs");
    EXPECT_EQ(no_date.error_message.rfind("date:", 0), 0u) << no_date.error_message;
}

TEST_F(DbusReportFactsOfAService, ReadinessIsTheLatestVerdictAndIsSignalled) {
    sd_bus* bus = client->get();
    const std::string path = device_object("REG-1");
    std::optional<ReadinessRow> latest = test::latest_readiness(catalog(), "REG-1");
    EXPECT_EQ(get_text(bus, path, kDevice, "Readiness"), latest ? latest->verdict : "");
    EXPECT_EQ(get_number(bus, path, kDevice, "ReadinessAt"),
              latest ? static_cast<double>(latest->at) : 0.0);
    // The dock's end invalidated them with the device's other properties.
    auto invalidated = [&] {
        return std::any_of(client->properties_changed.begin(), client->properties_changed.end(),
                           [&](const PropertiesChangedSignal& change) {
                               return change.path == path &&
                                      std::count(change.invalidated.begin(),
                                                 change.invalidated.end(), "Readiness") &&
                                      std::count(change.invalidated.begin(),
                                                 change.invalidated.end(), "ReadinessAt");
                           });
    };
    EXPECT_TRUE(client->wait_until(invalidated));

    // A later verdict is what the property says, whoever wrote it.
    // Each time is taken once: a second may begin between writing it and reading it back.
    const std::int64_t verdict_at = unix_now() + 5;
    {
        Catalog writer(service.state / "catalog.sqlite");
        writer.add_readiness(ReadinessRow{"REG-1", 0, verdict_at, true, "ready for duty"});
    }
    EXPECT_EQ(get_text(bus, path, kDevice, "Readiness"), "ready for duty");
    EXPECT_EQ(get_number(bus, path, kDevice, "ReadinessAt"), static_cast<double>(verdict_at));
    // A dock begun after that verdict is what counts now, as in the assignment report.
    const std::int64_t docked_at = verdict_at + 5;
    {
        Catalog writer(service.state / "catalog.sqlite");
        writer.begin_dock(writer.find_device("REG-1")->id, 1, docked_at);
    }
    EXPECT_EQ(get_text(bus, path, kDevice, "Readiness"), "docked: being checked");
    EXPECT_EQ(get_number(bus, path, kDevice, "ReadinessAt"), static_cast<double>(docked_at));
    EXPECT_EQ(get_text(bus, device_object("REG-2"), kDevice, "Readiness"), "") << "never docked";
    EXPECT_EQ(get_number(bus, device_object("REG-2"), kDevice, "ReadinessAt"), 0);
}

std::vector<reports::OfficerFacts> officers_of(const CallResult& result) {
    std::vector<reports::OfficerFacts> officers;
    if (!result.ok()) {
        ADD_FAILURE() << result.error_name << " " << result.error_message;
        return officers;
    }
    EXPECT_GE(sd_bus_message_enter_container(result.reply, 'a', "(sssx)"), 0);
    for (;;) {
        const char *badge = nullptr, *name = nullptr, *team = nullptr;
        std::int64_t updated_at = 0;
        int r = sd_bus_message_read(result.reply, "(sssx)", &badge, &name, &team, &updated_at);
        EXPECT_GE(r, 0);
        if (r <= 0) break;
        EXPECT_GT(updated_at, 0);
        officers.push_back({badge, name, team});
    }
    return officers;
}

TEST_F(DbusReportFactsOfAService, ImportOfficersAppliesAllOrNothing) {
    sd_bus* bus = client->get();
    EXPECT_TRUE(officers_of(call_manager(bus, "ListOfficers", "")).empty());

    // One bad entry among good ones: nothing is applied, and each problem is named.
    CallResult refused =
        call_manager(bus, "ImportOfficers", "a(sss)", 4, "0457", "张伟", "一组", "", "No Badge", "",
                     "0458", "Chen Jie", "", "0457", "Again", "");
    EXPECT_EQ(refused.error_name, "org.freedesktop.DBus.Error.InvalidArgs");
    EXPECT_NE(refused.error_message.find("entry 2 badge"), std::string::npos)
        << refused.error_message;
    EXPECT_NE(refused.error_message.find("entry 4 badge: also in entry 1"), std::string::npos)
        << refused.error_message;
    EXPECT_TRUE(officers_of(call_manager(bus, "ListOfficers", "")).empty());

    // The roster compares badges ignoring case and surrounding spaces: these are one badge
    // twice. A badge of spaces only is none.
    CallResult same_badge = call_manager(bus, "ImportOfficers", "a(sss)", 3, "B-7", "Officer B", "",
                                         " b-7 ", "Another", "", "   ", "Nobody", "");
    EXPECT_EQ(same_badge.error_name, "org.freedesktop.DBus.Error.InvalidArgs");
    EXPECT_NE(same_badge.error_message.find("entry 2 badge: also in entry 1"), std::string::npos)
        << same_badge.error_message;
    EXPECT_NE(same_badge.error_message.find("entry 3 badge: blank"), std::string::npos)
        << same_badge.error_message;
    EXPECT_TRUE(officers_of(call_manager(bus, "ListOfficers", "")).empty());

    CallResult imported = call_manager(bus, "ImportOfficers", "a(sss)", 2, "0457", "张伟", "一组",
                                       "0458", "Chen Jie", "");
    ASSERT_TRUE(imported.ok()) << imported.error_name << " " << imported.error_message;
    std::uint32_t changed = 0;
    ASSERT_GE(sd_bus_message_read(imported.reply, "u", &changed), 0);
    EXPECT_EQ(changed, 2u);
    std::vector<reports::OfficerFacts> roster = officers_of(call_manager(bus, "ListOfficers", ""));
    ASSERT_EQ(roster.size(), 2u);
    expect_same(roster[0], reports::OfficerFacts{"0457", "张伟", "一组"});
    expect_same(roster[1], reports::OfficerFacts{"0458", "Chen Jie", ""});

    // The same again changes nothing; a changed team is one change; the roster is in the facts.
    CallResult again = call_manager(bus, "ImportOfficers", "a(sss)", 2, "0457", "张伟", "二组",
                                    "0458", "Chen Jie", "");
    ASSERT_TRUE(again.ok());
    ASSERT_GE(sd_bus_message_read(again.reply, "u", &changed), 0);
    EXPECT_EQ(changed, 1u);
    const reports::AssignmentsInput facts = assignments_over_bus({0, unix_now() + 60});
    ASSERT_EQ(facts.officers.size(), 2u);
    EXPECT_EQ(facts.officers[0].team, "二组");
    // Audited, naming the caller.
    std::size_t audited = 0;
    for (const AuditRow& row : catalog().audit_rows()) {
        if (row.event.rfind("officer.", 0) == 0) {
            ++audited;
            EXPECT_NE(row.detail.find("uid " + std::to_string(::geteuid())), std::string::npos)
                << row.detail;
        }
    }
    EXPECT_EQ(audited, 3u);
}

TEST_F(DbusReportFactsOfAService, ImportOfficersStopsReadingAtItsLimit) {
    sd_bus* bus = client->get();
    CallResult too_many = import_numbered_officers(bus, 100'001);
    EXPECT_EQ(too_many.error_name, "org.freedesktop.DBus.Error.InvalidArgs");
    EXPECT_NE(too_many.error_message.find("more than 100000 entries"), std::string::npos)
        << too_many.error_message;
    EXPECT_TRUE(officers_of(call_manager(bus, "ListOfficers", "")).empty());
}

// ---- The paged lists.

// Each row of a list reply's array, its fields as text, and (for a page) the cursor after it.
struct ListReply {
    std::vector<std::string> rows;
    std::string next_cursor;
};

ListReply rows_of(const CallResult& result, bool paged) {
    ListReply out;
    if (!result.ok()) {
        ADD_FAILURE() << result.error_name << " " << result.error_message;
        return out;
    }
    sd_bus_message* m = result.reply;
    char type = 0;
    const char* contents = nullptr;
    EXPECT_GT(sd_bus_message_peek_type(m, &type, &contents), 0);
    EXPECT_GE(sd_bus_message_enter_container(m, 'a', contents), 0);
    while (sd_bus_message_enter_container(m, 'r', nullptr) > 0) {
        std::string row;
        while (sd_bus_message_peek_type(m, &type, nullptr) > 0) {
            std::string field;
            if (type == 's') {
                const char* text = nullptr;
                EXPECT_GE(sd_bus_message_read_basic(m, type, &text), 0);
                field = text;
            } else if (type == 'x' || type == 't') {
                std::uint64_t number = 0;
                EXPECT_GE(sd_bus_message_read_basic(m, type, &number), 0);
                field = std::to_string(number);
            } else {
                int flag = 0;
                EXPECT_EQ(type, 'b');
                EXPECT_GE(sd_bus_message_read_basic(m, type, &flag), 0);
                field = std::to_string(flag);
            }
            row += field + "|";
        }
        EXPECT_GE(sd_bus_message_exit_container(m), 0);
        out.rows.push_back(row);
    }
    EXPECT_GE(sd_bus_message_exit_container(m), 0);
    if (paged) {
        const char* cursor = nullptr;
        EXPECT_GE(sd_bus_message_read(m, "s", &cursor), 0);
        out.next_cursor = cursor != nullptr ? cursor : "";
    }
    return out;
}

TEST_F(DbusReportFactsOfAService, ListsReadAPageAtATimeAreTheWholeLists) {
    sd_bus* bus = client->get();
    ASSERT_TRUE(import_numbered_officers(bus, 7).ok());
    for (int i = 1; i <= 4; ++i) {
        const std::string serial = "PAGE-" + std::to_string(i);
        ASSERT_TRUE(
            call_manager(bus, "RegisterDevice", "ssss", serial.c_str(), "Custodian", "pool", "Head")
                .ok());
        ASSERT_TRUE(call_manager(bus, "AssignDevice", "ss", serial.c_str(), "B-1").ok());
    }
    // Three of one device's recordings and more of every device, so that pages end mid-way.
    const std::size_t recordings = rows_of(call_manager(bus, "ListRecordings", "sxxu", "",
                                                        std::int64_t{0}, std::int64_t{0}, 0u),
                                           false)
                                       .rows.size();
    ASSERT_GE(recordings, 3u);

    for (std::uint32_t count : {1u, 2u, 3u, 1000u}) {
        SCOPED_TRACE("pages of " + std::to_string(count));
        std::size_t pages = 0;
        auto page_all = [&](auto call_page) {
            std::vector<std::string> rows;
            std::string cursor;
            for (pages = 1; pages < 100; ++pages) {
                ListReply page = rows_of(call_page(cursor.c_str()), true);
                EXPECT_LE(page.rows.size(), count);
                rows.insert(rows.end(), page.rows.begin(), page.rows.end());
                if (page.next_cursor.empty()) break;
                EXPECT_EQ(page.rows.size(), count) << "only the last page may be short";
                cursor = page.next_cursor;
            }
            return rows;
        };
        const std::vector<std::string> officers = page_all([&](const char* cursor) {
            return call_manager(bus, "ListOfficersPage", "su", cursor, count);
        });
        EXPECT_EQ(officers, rows_of(call_manager(bus, "ListOfficers", ""), false).rows);
        EXPECT_EQ(officers.size(), 7u);
        EXPECT_EQ(pages, (7 + count - 1) / count)
            << "as many pages as it takes, and the cursor ends on the last";

        const std::vector<std::string> devices = page_all([&](const char* cursor) {
            return call_manager(bus, "ListDevicesPage", "su", cursor, count);
        });
        EXPECT_EQ(devices, rows_of(call_manager(bus, "ListDevices", ""), false).rows);
        EXPECT_EQ(devices.size(), 7u) << "REG-1, REG-2 (configured), UNREG-1 and PAGE-1..4";

        const std::vector<std::string> history = page_all([&](const char* cursor) {
            return call_manager(bus, "GetDeviceHistoryPage", "sxxsu", "", std::int64_t{0},
                                std::int64_t{0}, cursor, count);
        });
        EXPECT_EQ(history, rows_of(call_manager(bus, "GetDeviceHistory", "sxx", "", std::int64_t{0},
                                                std::int64_t{0}),
                                   false)
                               .rows);
        EXPECT_GE(history.size(), 8u);

        const std::vector<std::string> listed = page_all([&](const char* cursor) {
            return call_manager(bus, "ListRecordingsPage", "sxxsu", "", std::int64_t{0},
                                std::int64_t{0}, cursor, count);
        });
        EXPECT_EQ(listed, rows_of(call_manager(bus, "ListRecordings", "sxxu", "", std::int64_t{0},
                                               std::int64_t{0}, 0u),
                                  false)
                              .rows);
        const std::vector<std::string> of_one = page_all([&](const char* cursor) {
            return call_manager(bus, "ListRecordingsPage", "sxxsu", "REG-1", std::int64_t{0},
                                std::int64_t{0}, cursor, count);
        });
        EXPECT_EQ(of_one, rows_of(call_manager(bus, "ListRecordings", "sxxu", "REG-1",
                                               std::int64_t{0}, std::int64_t{0}, 0u),
                                  false)
                              .rows);
        EXPECT_LT(of_one.size(), listed.size());
    }

    // A count out of range, or a cursor no list gave, is refused naming the argument.
    for (std::uint32_t count : {0u, 1001u}) {
        CallResult refused = call_manager(bus, "ListOfficersPage", "su", "", count);
        EXPECT_EQ(refused.error_name, "org.freedesktop.DBus.Error.InvalidArgs");
        EXPECT_NE(refused.error_message.find("count:"), std::string::npos);
    }
    for (const char* cursor : {"12", "12.x", ".5", "1.2.3", "99999999999999999999.1"}) {
        CallResult refused = call_manager(bus, "ListRecordingsPage", "sxxsu", "", std::int64_t{0},
                                          std::int64_t{0}, cursor, 10u);
        EXPECT_EQ(refused.error_name, "org.freedesktop.DBus.Error.InvalidArgs") << cursor;
        EXPECT_NE(refused.error_message.find("cursor:"), std::string::npos) << cursor;
    }
    // Every page is a read on record.
    std::size_t pages_on_record = 0;
    for (const AuditRow& row : catalog().audit_rows()) {
        if (row.event == "access.read" &&
            row.detail.find("ListOfficersPage") != std::string::npos) {
            ++pages_on_record;
        }
    }
    EXPECT_EQ(pages_on_record, 7u + 4u + 3u + 1u);
}

}  // namespace
}  // namespace cradle::test
