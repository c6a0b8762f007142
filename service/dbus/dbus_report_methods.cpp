// SPDX-License-Identifier: Apache-2.0
// The Manager's lists and report facts, each read on the worker pool with its own read-only
// catalog connection (as many at once as ListingSlots allows, so that no number of callers holds
// the loop, the pool or memory) and answered on the loop: ListDevices, GetDeviceHistory,
// ListOfficers, GetAssignmentsFacts and GetDockDayFacts (encoded as
// protocol/dbus_report_facts.hpp says); and ImportOfficers with org.cradled.register. Every
// read is put on record (when_allowed).
#include "service/dbus/dbus_server_internal.hpp"

#include "common/text.hpp"
#include "core/catalog/report_queries.hpp"
#include "protocol/dbus_report_facts.hpp"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <set>

namespace cradle::dbus_server {
namespace {

constexpr const char* kReportTooLarge =
    "the report's facts are too many for one reply: ask for a shorter period, or use cradlectl "
    "--state-dir on the cradle";

// More officers than any police station has; a larger import is a wrong file.
constexpr std::size_t kMaxOfficersPerImport = 100'000;
// Problems named in one refusal of ImportOfficers; the count says how many more there were.
constexpr std::size_t kMaxProblemsNamed = 20;

constexpr auto kHistoryType = dbus::element_of(manager_api::GetDeviceHistory::arg::history);

// What a reply of these lists costs, roughly, in bytes.
std::size_t approximate_bytes(const std::vector<DeviceRow>& devices) {
    std::size_t bytes = 0;
    for (const auto& row : devices) {
        bytes += 48 + row.serial.size() + row.manufacturer.size() + row.model.size() +
                 row.firmware.size() + row.custodian.size() + row.officer.size() + row.head.size();
    }
    return bytes;
}
std::size_t approximate_bytes(const std::vector<DeviceHistoryRow>& history) {
    std::size_t bytes = 0;
    for (const auto& row : history) {
        bytes += 32 + row.serial.size() + row.action.size() + row.custodian.size() +
                 row.officer.size() + row.head.size() + row.previous_custodian.size() +
                 row.previous_officer.size() + row.previous_head.size() + row.changed_by.size() +
                 row.reason.size();
    }
    return bytes;
}
std::size_t approximate_bytes(const std::vector<OfficerRow>& officers) {
    std::size_t bytes = 0;
    for (const auto& row : officers) {
        bytes += 24 + row.badge.size() + row.name.size() + row.team.size();
    }
    return bytes;
}
using dbus::approximate_bytes;

// A page of one of the lists, and the cursor of the page after it ("" for none).
template <class Row>
struct Page {
    std::vector<Row> rows;
    std::string next_cursor;
};
template <class Row>
std::size_t approximate_bytes(const Page<Row>& page) {
    return approximate_bytes(page.rows) + page.next_cursor.size();
}
// Reads a page with `read_rows(count)` (one row more than asked, to know whether another
// page follows) and cuts it to `count`; `cursor_of` names a row's key.
template <class Row, class ReadRows, class CursorOf>
Page<Row> read_page(std::uint32_t count, ReadRows read_rows, CursorOf cursor_of) {
    Page<Row> page;
    page.rows = read_rows(count + 1);
    page.next_cursor = cut_page(page.rows, count, cursor_of);
    return page;
}

int append_devices(sd_bus_message* reply, const std::vector<DeviceRow>& devices) {
    int r = sd_bus_message_open_container(reply, 'a', kDeviceType);
    for (const auto& device : devices) {
        if (r < 0) return r;
        r = append_device(reply, device);
    }
    if (r < 0) return r;
    return sd_bus_message_close_container(reply);
}

int append_history(sd_bus_message* reply, const std::vector<DeviceHistoryRow>& history) {
    int r = sd_bus_message_open_container(reply, 'a', kHistoryType);
    for (const auto& row : history) {
        if (r < 0) return r;
        r = sd_bus_message_append(
            reply, kHistoryType, static_cast<std::int64_t>(row.at), row.serial.c_str(),
            row.action.c_str(), row.custodian.c_str(), row.officer.c_str(), row.head.c_str(),
            row.previous_custodian.c_str(), row.previous_officer.c_str(), row.previous_head.c_str(),
            row.changed_by.c_str(), row.reason.c_str());
    }
    if (r < 0) return r;
    return sd_bus_message_close_container(reply);
}

int append_officers(sd_bus_message* reply, const std::vector<OfficerRow>& officers) {
    int r = sd_bus_message_open_container(reply, 'a', dbus::kOfficerListType);
    for (const auto& officer : officers) {
        if (r < 0) return r;
        r = sd_bus_message_append(reply, dbus::kOfficerListType, officer.badge.c_str(),
                                  officer.name.c_str(), officer.team.c_str(),
                                  static_cast<std::int64_t>(officer.updated_at));
    }
    if (r < 0) return r;
    return sd_bus_message_close_container(reply);
}

template <class Row>
int append_page(sd_bus_message* reply, const Page<Row>& page,
                int (*append_rows)(sd_bus_message*, const std::vector<Row>&)) {
    int r = append_rows(reply, page.rows);
    if (r < 0) return r;
    return sd_bus_message_append(reply, "s", page.next_cursor.c_str());
}
int append_devices_page(sd_bus_message* reply, const Page<DeviceRow>& page) {
    return append_page(reply, page, &append_devices);
}
int append_history_page(sd_bus_message* reply, const Page<DeviceHistoryRow>& page) {
    return append_page(reply, page, &append_history);
}
int append_officers_page(sd_bus_message* reply, const Page<OfficerRow>& page) {
    return append_page(reply, page, &append_officers);
}

// The recordings among the facts, whose confidentiality is checked: none in the lists, the
// attribution disagreements of the assignments report, the recordings of the dock report.
std::vector<reports::RecordingFacts>* recordings_among(std::vector<DeviceRow>&) {
    return nullptr;
}
std::vector<reports::RecordingFacts>* recordings_among(std::vector<DeviceHistoryRow>&) {
    return nullptr;
}
std::vector<reports::RecordingFacts>* recordings_among(std::vector<OfficerRow>&) {
    return nullptr;
}
template <class Row>
std::vector<reports::RecordingFacts>* recordings_among(Page<Row>&) {
    return nullptr;
}
std::vector<reports::RecordingFacts>* recordings_among(reports::AssignmentsInput& in) {
    return &in.disagreements;
}
std::vector<reports::RecordingFacts>* recordings_among(reports::DockDayInput& in) {
    return &in.recordings;
}

// A period of the report methods: UTC seconds, [from, to).
void require_period(std::int64_t from, std::int64_t to) {
    if (from < 0) throw CallError(SD_BUS_ERROR_INVALID_ARGS, "from: negative");
    if (to <= from) throw CallError(SD_BUS_ERROR_INVALID_ARGS, "to: not later than from");
}

// Every problem of an import, each naming its entry (1-based, as a person counts lines).
std::vector<std::string> officer_problems(const std::vector<reports::OfficerFacts>& officers) {
    std::vector<std::string> problems;
    std::map<std::string, std::size_t> first_entry_of;
    for (std::size_t i = 0; i < officers.size(); ++i) {
        const reports::OfficerFacts& officer = officers[i];
        const std::string entry = "officers: entry " + std::to_string(i + 1) + " ";
        for (std::string problem :
             {dbus::argument_problem("badge", officer.badge),
              dbus::argument_problem("name", officer.name),
              dbus::argument_problem("team", officer.team, dbus::Emptiness::allowed)}) {
            if (!problem.empty()) problems.push_back(entry + problem);
        }
        if (!officer.badge.empty() && is_blank_text(officer.badge)) {
            problems.push_back(entry + "badge: blank");
        }
        if (!officer.name.empty() && is_blank_text(officer.name)) {
            problems.push_back(entry + "name: blank");
        }
        const std::string key = badge_key(officer.badge);
        if (key.empty()) continue;
        auto [first, inserted] = first_entry_of.emplace(key, i + 1);
        if (!inserted) {
            problems.push_back(entry + "badge: also in entry " + std::to_string(first->second) +
                               " (badges are compared ignoring case and surrounding spaces)");
        }
    }
    return problems;
}

// The a(sss) of ImportOfficers, read only up to the limit: a caller cannot make the service
// parse an array of any length.
std::vector<reports::OfficerFacts> read_officers_up_to(sd_bus_message* call, std::size_t limit) {
    std::vector<reports::OfficerFacts> officers;
    check(sd_bus_message_enter_container(call, 'a', dbus::kOfficerFactsType), "arguments");
    for (;;) {
        const char* badge = nullptr;
        const char* name = nullptr;
        const char* team = nullptr;
        const int r = sd_bus_message_read(call, dbus::kOfficerFactsType, &badge, &name, &team);
        check(r, "arguments");
        if (r == 0) break;
        if (officers.size() == limit) {
            throw CallError(
                SD_BUS_ERROR_INVALID_ARGS,
                "officers: more than " + std::to_string(limit) + " entries (nothing was imported)");
        }
        officers.push_back(reports::OfficerFacts{badge, name, team});
    }
    check(sd_bus_message_exit_container(call), "arguments");
    return officers;
}

}  // namespace

void require_page_count(std::uint32_t count) {
    if (count == 0 || count > kMaxPageRows) {
        throw CallError(SD_BUS_ERROR_INVALID_ARGS,
                        "count: from 1 to " + std::to_string(kMaxPageRows) + " rows a page");
    }
}

std::string time_cursor(const TimeKey& key) {
    return std::to_string(key.time) + "." + std::to_string(key.id);
}

std::optional<TimeKey> parse_time_cursor(const char* cursor) {
    const std::string_view text = cursor;
    if (text.empty()) return std::nullopt;
    TimeKey key;
    const char* end = text.data() + text.size();
    auto [time_end, time_error] = std::from_chars(text.data(), end, key.time);
    if (time_error == std::errc() && time_end != end && *time_end == '.') {
        auto [id_end, id_error] = std::from_chars(time_end + 1, end, key.id);
        if (id_error == std::errc() && id_end == end) return key;
    }
    throw CallError(SD_BUS_ERROR_INVALID_ARGS, "cursor: not one this list gave");
}

template <class Facts>
void DbusServer::reply_with_facts(
    std::uint64_t ticket, const dbus::Caller& caller, const char* method,
    std::function<Facts(const Catalog&, const std::string& cradle)> read,
    int (*append)(sd_bus_message*, const Facts&), const char* too_large) {
    if (!listing_slots_.take(caller.uid)) {
        throw CallError(SD_BUS_ERROR_LIMITS_EXCEEDED,
                        "too many lists and reports are being read at once; try again shortly");
    }
    auto facts = std::make_shared<Facts>();
    auto bytes = std::make_shared<std::size_t>(0);
    auto confidential = std::make_shared<std::set<std::int64_t>>();
    std::weak_ptr<DbusServer> weak = weak_from_this();
    std::filesystem::path catalog_file = service_.config().state_dir / "catalog.sqlite";
    service_.background_work(
        [catalog_file, cradle = cradle_name_, read = std::move(read), facts, bytes, confidential,
         too_large] {
            Catalog catalog = Catalog::open_read_only(catalog_file);
            *facts = read(catalog, cradle);
            *bytes = approximate_bytes(*facts);
            if (*bytes > kMaxReplyBytes) {
                throw CallError(SD_BUS_ERROR_LIMITS_EXCEEDED, too_large);
            }
            const std::vector<reports::RecordingFacts>* recordings = recordings_among(*facts);
            if (recordings != nullptr) *confidential = confidential_among(catalog, *recordings);
        },
        [weak, ticket, facts, bytes, confidential, append, caller,
         method](std::exception_ptr failure) {
            auto self = weak.lock();
            if (!self) return;
            self->listing_slots_.give_back(caller.uid);
            if (!failure) self->guard_.sent(caller.bus_name, *bytes);
            self->guarded("list reply", [&] {
                if (failure || confidential->empty()) {
                    self->answer(ticket, failure,
                                 [&](sd_bus_message* reply) { return append(reply, *facts); });
                    return;
                }
                // Confidential recordings among the facts: shown only to a caller who may
                // read them, on record naming them; to anyone else counted, facts withheld.
                self->ask_right(
                    ticket, caller, dbus::Right::read_confidential,
                    [weak, ticket, facts, confidential, append, caller, method](
                        bool granted, const std::string&) {
                        auto server = weak.lock();
                        if (!server) return;
                        if (!granted) {
                            withhold(*recordings_among(*facts), *confidential);
                            server->answer(ticket, nullptr, [&](sd_bus_message* reply) {
                                return append(reply, *facts);
                            });
                            return;
                        }
                        std::string ids;
                        for (std::int64_t id : *confidential) {
                            ids += (ids.empty() ? "" : ", ") + std::to_string(id);
                        }
                        server->on_record_then_answer(
                            ticket,
                            AuditEvent{"access.read-confidential",
                                       0,
                                       {},
                                       0,
                                       std::string(method) + " showed confidential recordings " +
                                           ids + " to " + caller.changed_by},
                            [facts, append](sd_bus_message* reply) {
                                return append(reply, *facts);
                            });
                    });
            });
        });
}

int DbusServer::get_assignments_facts(sd_bus_message* call) {
    std::int64_t from = 0;
    std::int64_t to = 0;
    check(sd_bus_message_read(call, manager_api::GetAssignmentsFacts::in, &from, &to), "arguments");
    require_period(from, to);
    when_allowed(park(call), call, dbus::Right::read,
                 "GetAssignmentsFacts from " + std::to_string(from) + " to " + std::to_string(to),
                 OnRecord::yes, [this, from, to](std::uint64_t ticket, const dbus::Caller& caller) {
                     reply_with_facts<reports::AssignmentsInput>(
                         ticket, caller, "GetAssignmentsFacts",
                         [period = reports::Period{from, to}](const Catalog& catalog,
                                                              const std::string& cradle) {
                             return read_assignments_input(catalog, period, cradle);
                         },
                         &dbus::append_assignments_facts, kReportTooLarge);
                 });
    return 1;
}

int DbusServer::get_dock_day_facts(sd_bus_message* call) {
    const char* date = nullptr;
    std::int64_t from = 0;
    std::int64_t to = 0;
    check(sd_bus_message_read(call, manager_api::GetDockDayFacts::in, &date, &from, &to),
          "arguments");
    require_valid("date", date);
    require_period(from, to);
    when_allowed(park(call), call, dbus::Right::read,
                 "GetDockDayFacts of " + std::string(date) + " from " + std::to_string(from) +
                     " to " + std::to_string(to),
                 OnRecord::yes,
                 [this, date = std::string(date), from, to](std::uint64_t ticket,
                                                            const dbus::Caller& caller) {
                     reply_with_facts<reports::DockDayInput>(
                         ticket, caller, "GetDockDayFacts",
                         [date, day = reports::Period{from, to}](const Catalog& catalog,
                                                                 const std::string& cradle) {
                             return read_dock_day_input(catalog, date, day, cradle);
                         },
                         &dbus::append_dock_day_facts, kReportTooLarge);
                 });
    return 1;
}

int DbusServer::list_devices(sd_bus_message* call) {
    when_allowed(park(call), call, dbus::Right::read, "ListDevices", OnRecord::yes,
                 [this](std::uint64_t ticket, const dbus::Caller& caller) {
                     reply_with_facts<std::vector<DeviceRow>>(
                         ticket, caller, "ListDevices",
                         [](const Catalog& catalog, const std::string&) {
                             std::vector<DeviceRow> devices = catalog.devices();
                             std::sort(devices.begin(), devices.end(),
                                       [](const DeviceRow& a, const DeviceRow& b) {
                                           return a.serial < b.serial;
                                       });
                             return devices;
                         },
                         &append_devices, "the register is too large for one reply");
                 });
    return 1;
}

int DbusServer::get_device_history(sd_bus_message* call) {
    const char* serial = nullptr;
    std::int64_t from = 0;
    std::int64_t to = 0;
    check(sd_bus_message_read(call, manager_api::GetDeviceHistory::in, &serial, &from, &to),
          "arguments");
    const std::string what = "GetDeviceHistory" + require_window(serial, from, to, kChangeWindow);
    when_allowed(park(call), call, dbus::Right::read, what, OnRecord::yes,
                 [this, serial = std::string(serial), from, to](std::uint64_t ticket,
                                                                const dbus::Caller& caller) {
                     reply_with_facts<std::vector<DeviceHistoryRow>>(
                         ticket, caller, "GetDeviceHistory",
                         [serial, from, to](const Catalog& catalog, const std::string&) {
                             if (!serial.empty() && !catalog.find_device(serial)) {
                                 throw no_such_device(serial);
                             }
                             return catalog.device_history(serial, from, to);
                         },
                         &append_history,
                         "the history entries are too many for one reply: narrow the window");
                 });
    return 1;
}

int DbusServer::list_officers(sd_bus_message* call) {
    when_allowed(
        park(call), call, dbus::Right::read, "ListOfficers", OnRecord::yes,
        [this](std::uint64_t ticket, const dbus::Caller& caller) {
            reply_with_facts<std::vector<OfficerRow>>(
                ticket, caller, "ListOfficers",
                [](const Catalog& catalog, const std::string&) { return catalog.officers(); },
                &append_officers, "the roster is too large for one reply");
        });
    return 1;
}

int DbusServer::import_officers(sd_bus_message* call) {
    // Who calls is checked before what they ask: the arguments, up to 100,000 entries, are read
    // only for a caller who may change the roster.
    when_allowed(
        park(call), call, dbus::Right::register_devices, "ImportOfficers", OnRecord::no,
        [this](std::uint64_t ticket, const dbus::Caller& caller) {
            auto parked = parked_.find(ticket);
            if (parked == parked_.end()) return;
            auto officers = std::make_shared<std::vector<reports::OfficerFacts>>(
                read_officers_up_to(parked->second.get(), kMaxOfficersPerImport));
            std::vector<std::string> problems = officer_problems(*officers);
            if (!problems.empty()) {
                std::string text;
                for (std::size_t i = 0; i < problems.size() && i < kMaxProblemsNamed; ++i) {
                    if (i != 0) text += "; ";
                    text += problems[i];
                }
                if (problems.size() > kMaxProblemsNamed) {
                    text += "; and " + std::to_string(problems.size() - kMaxProblemsNamed) +
                            " more problems";
                }
                throw CallError(SD_BUS_ERROR_INVALID_ARGS, text + " (nothing was imported)");
            }
            std::vector<OfficerRow> rows;
            rows.reserve(officers->size());
            for (const auto& officer : *officers) {
                rows.push_back(OfficerRow{officer.badge, officer.name, officer.team, 0});
            }
            auto changed = std::make_shared<std::size_t>(0);
            service_.catalog_work(
                [rows = std::move(rows), changed,
                 changed_by = caller.changed_by](Catalog& catalog) {
                    *changed = catalog.upsert_officers(rows, unix_now(), changed_by);
                },
                [weak = weak_from_this(), ticket, changed](std::exception_ptr failure) {
                    auto self = weak.lock();
                    if (!self) return;
                    self->guarded("officers import", [&] {
                        self->answer(ticket, failure, [&changed](sd_bus_message* reply) {
                            return sd_bus_message_append(reply, manager_api::ImportOfficers::out,
                                                         static_cast<std::uint32_t>(*changed));
                        });
                    });
                });
        });
    return 1;
}

template <class Page>
int DbusServer::serve_keyed_page(
    sd_bus_message* call, const char* method, const char* in,
    std::function<Page(const Catalog&, const std::string& after, std::uint32_t count)> read,
    int (*append)(sd_bus_message*, const Page&)) {
    const char* cursor = nullptr;
    std::uint32_t count = 0;
    check(sd_bus_message_read(call, in, &cursor, &count), "arguments");
    require_page_count(count);
    when_allowed(park(call), call, dbus::Right::read, method, OnRecord::yes,
                 [this, method, read = std::move(read), append, after = std::string(cursor), count](
                     std::uint64_t ticket, const dbus::Caller& caller) {
                     reply_with_facts<Page>(
                         ticket, caller, method,
                         [read, after, count](const Catalog& catalog, const std::string&) {
                             return read(catalog, after, count);
                         },
                         append, "the page is too large for one reply");
                 });
    return 1;
}

int DbusServer::list_devices_page(sd_bus_message* call) {
    return serve_keyed_page<Page<DeviceRow>>(
        call, manager_api::ListDevicesPage::name, manager_api::ListDevicesPage::in,
        [](const Catalog& catalog, const std::string& after, std::uint32_t count) {
            return read_page<DeviceRow>(
                count, [&](std::uint32_t rows) { return catalog.devices_after(after, rows); },
                [](const DeviceRow& row) { return row.serial; });
        },
        &append_devices_page);
}

int DbusServer::list_officers_page(sd_bus_message* call) {
    return serve_keyed_page<Page<OfficerRow>>(
        call, manager_api::ListOfficersPage::name, manager_api::ListOfficersPage::in,
        [](const Catalog& catalog, const std::string& after, std::uint32_t count) {
            return read_page<OfficerRow>(
                count, [&](std::uint32_t rows) { return catalog.officers_after(after, rows); },
                [](const OfficerRow& row) { return row.badge; });
        },
        &append_officers_page);
}

int DbusServer::get_device_history_page(sd_bus_message* call) {
    const char* serial = nullptr;
    std::int64_t from = 0;
    std::int64_t to = 0;
    const char* cursor = nullptr;
    std::uint32_t count = 0;
    check(sd_bus_message_read(call, manager_api::GetDeviceHistoryPage::in, &serial, &from, &to,
                              &cursor, &count),
          "arguments");
    std::string what = "GetDeviceHistoryPage" + require_window(serial, from, to, kChangeWindow);
    require_page_count(count);
    const std::optional<TimeKey> after = parse_time_cursor(cursor);
    if (after) what += " after " + time_cursor(*after);
    when_allowed(
        park(call), call, dbus::Right::read, what, OnRecord::yes,
        [this, serial = std::string(serial), from, to, after, count](std::uint64_t ticket,
                                                                     const dbus::Caller& caller) {
            reply_with_facts<Page<DeviceHistoryRow>>(
                ticket, caller, "GetDeviceHistoryPage",
                [serial, from, to, after, count](const Catalog& catalog, const std::string&) {
                    if (!serial.empty() && !catalog.find_device(serial)) {
                        throw no_such_device(serial);
                    }
                    return read_page<DeviceHistoryRow>(
                        count,
                        [&](std::uint32_t rows) {
                            return catalog.device_history_after(serial, from, to, after, rows);
                        },
                        [](const DeviceHistoryRow& row) {
                            return time_cursor({row.at, row.id});
                        });
                },
                &append_history_page, "the page is too large for one reply");
        });
    return 1;
}

}  // namespace cradle::dbus_server
