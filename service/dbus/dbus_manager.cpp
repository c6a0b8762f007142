// SPDX-License-Identifier: Apache-2.0
// The Manager object (/org/cradled/Cradle1): its vtable, its properties, the reads it answers
// (bays, devices, recordings, verify) and the DockFinished signal. Its changes of the register
// are in dbus_register.cpp, its report facts and roster in dbus_report_methods.cpp.
#include "service/dbus/dbus_server_internal.hpp"

#include "common/ed25519.hpp"
#include "common/fs.hpp"
#include "common/system_clock.hpp"
#include "common/text.hpp"
#include "core/archive/archive_path.hpp"
#include "core/catalog/state_verifier.hpp"

#include <fcntl.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <filesystem>
#include <utility>

namespace cradle::dbus_server {
namespace {

constexpr auto kRecordingType = dbus::element_of(manager_api::ListRecordings::arg::recordings);
constexpr auto kProblemType = dbus::element_of(manager_api::Verify::arg::problems);
static_assert(dbus::same_signature(kDeviceType, manager_api::GetDevice::arg::device),
              "GetDevice answers one device as ListDevices lists them");

// One bay as ListBays lists it; a negative errno when the append failed.
int append_bay(sd_bus_message* reply, const BayStatus& bay) {
    return sd_bus_message_append(
        reply, kBayType, static_cast<std::uint32_t>(bay.bay), to_string(bay.phase),
        light_name(bay.light), bay.serial.c_str(), bay.model.c_str(), bay.outcome.c_str(),
        static_cast<std::int64_t>(bay.docked_since),
        static_cast<std::uint32_t>(bay.recordings_done),
        static_cast<std::uint32_t>(bay.recordings_total),
        static_cast<std::uint64_t>(bay.bytes_done), static_cast<std::uint64_t>(bay.bytes_total),
        static_cast<double>(bay.rate_bytes_per_s), static_cast<std::int64_t>(bay.eta_s));
}

struct RecordingListing {
    RecordingRow row;
    std::string serial;
    std::string name;
    bool confidential = false;
};

// The recordings of a reply, and for a page the next page's cursor.
struct RecordingsRead {
    std::vector<RecordingListing> rows;
    std::size_t approximate_bytes = 0;
    bool paged = false;
    std::string next_cursor;
};
static_assert(dbus::same_signature(manager_api::ListRecordings::arg::recordings,
                                   manager_api::ListRecordingsPage::arg::recordings),
              "a page of recordings lists them as ListRecordings does");

// Appends the listing; with `withhold`, a confidential recording is a row of state
// "confidential" with every other field empty or 0.
int append_listing(sd_bus_message* reply, const RecordingsRead& listing, bool withhold) {
    int r = sd_bus_message_open_container(reply, 'a', kRecordingType);
    for (const auto& item : listing.rows) {
        if (r < 0) return r;
        const RecordingRow& row = item.row;
        if (withhold && item.confidential) {
            r = sd_bus_message_append(reply, kRecordingType, std::int64_t{0}, "", "",
                                      std::uint64_t{0}, "confidential", "", "", std::int64_t{0},
                                      std::int64_t{0}, std::int64_t{0});
            continue;
        }
        r = sd_bus_message_append(
            reply, kRecordingType, static_cast<std::int64_t>(row.id), item.serial.c_str(),
            item.name.c_str(), static_cast<std::uint64_t>(row.key.size), to_string(row.state),
            row.sha256_hex.c_str(), row.archive_path.c_str(),
            static_cast<std::int64_t>(row.key.captured_unix_s),
            static_cast<std::int64_t>(row.archived_at), static_cast<std::int64_t>(row.wiped_at));
    }
    if (r < 0) return r;
    r = sd_bus_message_close_container(reply);
    if (r < 0 || !listing.paged) return r;
    return sd_bus_message_append(reply, manager_api::ListRecordingsPage::arg::next_cursor,
                                 listing.next_cursor.c_str());
}

int manager_property_callback(sd_bus*, const char*, const char*, const char* property,
                              sd_bus_message* reply, void* userdata, sd_bus_error* error) {
    try {
        return static_cast<DbusServer*>(userdata)->manager_property(property, reply);
    } catch (...) {
        return error_from_current_exception(error);
    }
}

const sd_bus_vtable kManagerVtable[] = {
    SD_BUS_VTABLE_START(0),
    CRADLE_PROPERTY(manager_api::Version, manager_property_callback),
    CRADLE_PROPERTY(manager_api::BayCount, manager_property_callback),
    CRADLE_PROPERTY(manager_api::StateDirectory, manager_property_callback),
    CRADLE_PROPERTY(manager_api::SigningKey, manager_property_callback),
    CRADLE_PROPERTY(manager_api::SigningKeyFingerprint, manager_property_callback),
    CRADLE_PROPERTY(manager_api::ClockSynchronised, manager_property_callback),
    CRADLE_METHOD(manager_api::ListBays, &DbusServer::list_bays),
    CRADLE_METHOD(manager_api::ListDevices, &DbusServer::list_devices),
    CRADLE_METHOD(manager_api::GetDevice, &DbusServer::get_device),
    CRADLE_METHOD(manager_api::ListRecordings, &DbusServer::list_recordings),
    CRADLE_METHOD(manager_api::Verify, &DbusServer::verify),
    CRADLE_METHOD(manager_api::OpenRecording, &DbusServer::open_recording),
    CRADLE_METHOD(manager_api::SetConfidential, &DbusServer::set_confidential),
    CRADLE_METHOD(manager_api::RegisterDevice, &DbusServer::register_device),
    CRADLE_METHOD(manager_api::AssignDevice, &DbusServer::assign_device),
    CRADLE_METHOD(manager_api::RetireDevice, &DbusServer::retire_device),
    CRADLE_METHOD(manager_api::RotateSigningKey, &DbusServer::rotate_signing_key),
    CRADLE_METHOD(manager_api::GetDeviceHistory, &DbusServer::get_device_history),
    CRADLE_METHOD(manager_api::GetAssignmentsFacts, &DbusServer::get_assignments_facts),
    CRADLE_METHOD(manager_api::GetDockDayFacts, &DbusServer::get_dock_day_facts),
    CRADLE_METHOD(manager_api::ListOfficers, &DbusServer::list_officers),
    CRADLE_METHOD(manager_api::ImportOfficers, &DbusServer::import_officers),
    CRADLE_METHOD(manager_api::ListDevicesPage, &DbusServer::list_devices_page),
    CRADLE_METHOD(manager_api::ListRecordingsPage, &DbusServer::list_recordings_page),
    CRADLE_METHOD(manager_api::GetDeviceHistoryPage, &DbusServer::get_device_history_page),
    CRADLE_METHOD(manager_api::ListOfficersPage, &DbusServer::list_officers_page),
    CRADLE_SIGNAL(manager_api::BayChanged),
    CRADLE_SIGNAL(manager_api::DockFinished),
    CRADLE_SIGNAL(manager_api::DeviceChanged),
    SD_BUS_VTABLE_END,
};

}  // namespace

int DbusServer::add_manager_object() {
    sd_bus_slot* slot = nullptr;
    const int r = sd_bus_add_object_vtable(bus_.get(), &slot, dbus::kRootPath,
                                           dbus::kManagerInterface, kManagerVtable, this);
    if (r >= 0) slots_.emplace_back(slot);
    return r;
}

int append_device(sd_bus_message* reply, const DeviceRow& device) {
    return sd_bus_message_append(
        reply, kDeviceType, device.serial.c_str(), device.manufacturer.c_str(),
        device.model.c_str(), device.firmware.c_str(), static_cast<int>(device.registered),
        device.custodian.c_str(), device.officer.c_str(), device.head.c_str(),
        static_cast<std::int64_t>(device.first_seen), static_cast<std::int64_t>(device.last_seen));
}

int DbusServer::manager_property(const char* property, sd_bus_message* reply) {
    std::string_view name = property;
    if (name == manager_api::Version::name)
        return append_value<manager_api::Version>(reply, CRADLED_VERSION);
    if (name == manager_api::BayCount::name) {
        return append_value<manager_api::BayCount>(
            reply, static_cast<std::uint32_t>(service_.status().bay_count()));
    }
    if (name == manager_api::StateDirectory::name) {
        return append_value<manager_api::StateDirectory>(reply,
                                                         service_.config().state_dir.c_str());
    }
    if (name == manager_api::SigningKey::name) {
        return append_value<manager_api::SigningKey>(reply, service_.signing_key().pem().c_str());
    }
    if (name == manager_api::SigningKeyFingerprint::name) {
        return append_value<manager_api::SigningKeyFingerprint>(
            reply, service_.signing_key().fingerprint().c_str());
    }
    if (name == manager_api::ClockSynchronised::name) {
        return append_value<manager_api::ClockSynchronised>(
            reply, static_cast<int>(system_clock_synchronised()));
    }
    return -ENOENT;
}

int DbusServer::list_bays(sd_bus_message* call) {
    sd_bus_message* raw = nullptr;
    check(sd_bus_message_new_method_return(call, &raw), "reply");
    dbus::MessagePtr reply(raw);
    check(sd_bus_message_open_container(reply.get(), 'a', kBayType), "reply");
    for (const auto& bay : service_.status().all()) check(append_bay(reply.get(), bay), "reply");
    check(sd_bus_message_close_container(reply.get()), "reply");
    return sd_bus_send(nullptr, reply.get(), nullptr);
}

int DbusServer::get_device(sd_bus_message* call) {
    const char* serial = nullptr;
    check(sd_bus_message_read(call, manager_api::GetDevice::in, &serial), "arguments");
    require_valid("serial", serial);
    when_allowed(park(call), call, dbus::Right::read,
                 "GetDevice of serial '" + std::string(serial) + "'", OnRecord::yes,
                 [this, serial = std::string(serial)](std::uint64_t ticket, const dbus::Caller&) {
                     std::optional<DeviceRow> device = catalog_->find_device(serial);
                     if (!device) throw no_such_device(serial);
                     answer(ticket, nullptr, [&device](sd_bus_message* reply) {
                         return append_device(reply, *device);
                     });
                 });
    return 1;
}

std::string require_window(const char* serial, std::int64_t from, std::int64_t to,
                           const WindowNames& names) {
    require_valid("serial", serial, dbus::Emptiness::allowed);
    if (from < 0) {
        throw CallError(SD_BUS_ERROR_INVALID_ARGS, std::string(names.from) + ": negative");
    }
    if (to < 0) {
        throw CallError(SD_BUS_ERROR_INVALID_ARGS, std::string(names.to) + ": negative");
    }
    if (from != 0 && to != 0 && from > to) {
        throw CallError(SD_BUS_ERROR_INVALID_ARGS,
                        std::string(names.from) + ": later than " + names.to);
    }
    std::string what;
    if (*serial != '\0') what += " of serial '" + std::string(serial) + "'";
    if (from != 0) what += std::string(names.in_audit) + " from " + std::to_string(from);
    if (to != 0) what += std::string(names.in_audit) + " to " + std::to_string(to);
    return what;
}

int DbusServer::list_recordings(sd_bus_message* call) {
    const char* serial_arg = nullptr;
    std::int64_t from = 0;
    std::int64_t to = 0;
    std::uint32_t limit = 0;
    check(
        sd_bus_message_read(call, manager_api::ListRecordings::in, &serial_arg, &from, &to, &limit),
        "arguments");
    std::string what = "ListRecordings" + require_window(serial_arg, from, to, kCaptureWindow);
    if (limit != 0) what += " limit " + std::to_string(limit);
    const std::string serial = serial_arg;
    Catalog::RecordingFilter filter;
    filter.captured_from = from;
    filter.captured_to = to;
    filter.latest = limit;
    when_allowed(park(call), call, dbus::Right::read, what, OnRecord::yes,
                 [this, serial, filter](std::uint64_t ticket, const dbus::Caller& caller) {
                     read_recordings(ticket, caller, serial, filter, false);
                 });
    return 1;
}

int DbusServer::list_recordings_page(sd_bus_message* call) {
    const char* serial_arg = nullptr;
    std::int64_t from = 0;
    std::int64_t to = 0;
    const char* cursor = nullptr;
    std::uint32_t count = 0;
    check(sd_bus_message_read(call, manager_api::ListRecordingsPage::in, &serial_arg, &from, &to,
                              &cursor, &count),
          "arguments");
    std::string what = "ListRecordingsPage" + require_window(serial_arg, from, to, kCaptureWindow);
    require_page_count(count);
    Catalog::RecordingFilter filter;
    filter.captured_from = from;
    filter.captured_to = to;
    filter.after = parse_time_cursor(cursor);
    filter.first = count;
    const std::string serial = serial_arg;
    if (filter.after) what += " after " + time_cursor(*filter.after);
    when_allowed(park(call), call, dbus::Right::read, what, OnRecord::yes,
                 [this, serial, filter](std::uint64_t ticket, const dbus::Caller& caller) {
                     read_recordings(ticket, caller, serial, filter, true);
                 });
    return 1;
}

void DbusServer::read_recordings(std::uint64_t ticket, const dbus::Caller& caller,
                                 const std::string& serial, Catalog::RecordingFilter filter,
                                 bool paged) {
    if (!listing_slots_.take(caller.uid)) {
        throw CallError(SD_BUS_ERROR_LIMITS_EXCEEDED,
                        "too many lists and reports are being read at once; try again shortly");
    }
    auto listing = std::make_shared<RecordingsRead>();
    listing->paged = paged;
    std::weak_ptr<DbusServer> weak = weak_from_this();
    std::filesystem::path catalog_file = service_.config().state_dir / "catalog.sqlite";
    service_.background_work(
        [catalog_file, serial, filter, listing]() mutable {
            Catalog catalog = Catalog::open_read_only(catalog_file);
            std::map<std::int64_t, std::string> serials;
            for (const auto& device : catalog.devices()) {
                serials[device.id] = device.serial;
                if (device.serial == serial) filter.device_id = device.id;
            }
            if (!serial.empty() && !filter.device_id) throw no_such_device(serial);
            // A page is read with one row more, to know whether another page follows.
            if (listing->paged) ++filter.first;
            std::vector<RecordingRow> rows = catalog.recordings_captured(filter);
            if (listing->paged) {
                listing->next_cursor =
                    cut_page(rows, filter.first - 1, [](const RecordingRow& row) {
                        return time_cursor({row.key.captured_unix_s, row.id});
                    });
            }
            const ConfidentialMarks marks = catalog.confidential_marks();
            std::size_t reply_bytes = 0;
            // Filtered by SQLite: the device, the capture window, the latest `limit` or the
            // page; in capture order.
            for (auto& row : rows) {
                std::string owner = serials[row.key.device_id];
                std::string name = sanitize_text(row.key.name);
                const bool confidential = marks.covers(row);
                listing->rows.push_back(RecordingListing{std::move(row), std::move(owner),
                                                         std::move(name), confidential});
            }
            for (const auto& item : listing->rows) {
                reply_bytes += 64 + item.serial.size() + item.name.size() +
                               item.row.sha256_hex.size() + item.row.archive_path.size();
            }
            listing->approximate_bytes = reply_bytes;
            if (reply_bytes > kMaxReplyBytes) {
                throw CallError(SD_BUS_ERROR_LIMITS_EXCEEDED,
                                std::to_string(listing->rows.size()) +
                                    " recordings are too many for one reply: narrow the "
                                    "capture window or set a limit");
            }
        },
        [weak, ticket, listing, caller](std::exception_ptr failure) {
            auto self = weak.lock();
            if (!self) return;
            self->listing_slots_.give_back(caller.uid);
            if (!failure) self->guard_.sent(caller.bus_name, listing->approximate_bytes);
            self->guarded("recordings reply", [&] {
                std::string confidential_ids;
                for (const auto& item : listing->rows) {
                    if (!item.confidential) continue;
                    confidential_ids +=
                        (confidential_ids.empty() ? "" : ", ") + std::to_string(item.row.id);
                }
                if (failure || confidential_ids.empty()) {
                    self->answer(ticket, failure, [&listing](sd_bus_message* reply) {
                        return append_listing(reply, *listing, false);
                    });
                    return;
                }
                // Confidential recordings among them: their facts only to a caller who may
                // read them, on record naming them; to anyone else, withheld.
                self->ask_right(
                    ticket, caller, dbus::Right::read_confidential,
                    [weak, ticket, listing, caller, confidential_ids](bool granted,
                                                                      const std::string&) {
                        auto server = weak.lock();
                        if (!server) return;
                        if (!granted) {
                            server->answer(ticket, nullptr, [&listing](sd_bus_message* reply) {
                                return append_listing(reply, *listing, true);
                            });
                            return;
                        }
                        server->on_record_then_answer(
                            ticket,
                            AuditEvent{"access.read-confidential",
                                       0,
                                       {},
                                       0,
                                       std::string(listing->paged ? "ListRecordingsPage"
                                                                  : "ListRecordings") +
                                           " showed confidential recordings " + confidential_ids +
                                           " to " + caller.changed_by},
                            [listing](sd_bus_message* reply) {
                                return append_listing(reply, *listing, false);
                            });
                    });
            });
        });
}

int DbusServer::verify(sd_bus_message* call) {
    when_allowed(park(call), call, dbus::Right::audit, "Verify", OnRecord::yes,
                 [this](std::uint64_t ticket, const dbus::Caller&) { run_verify(ticket); });
    return 1;
}

void DbusServer::run_verify(std::uint64_t ticket) {
    // One verify at a time reads the archive: every caller meanwhile gets its result, so no
    // caller can fill the worker pool the bays need.
    verify_waiting_.push_back(ticket);
    if (verify_waiting_.size() > 1) return;
    auto report = std::make_shared<VerifyReport>();
    std::weak_ptr<DbusServer> weak = weak_from_this();
    std::filesystem::path state_dir = service_.config().state_dir;
    service_.background_work(
        [state_dir, report] { *report = verify_state(state_dir); },
        [weak, report](std::exception_ptr failure) {
            auto self = weak.lock();
            if (!self) return;
            std::vector<std::uint64_t> waiting = std::exchange(self->verify_waiting_, {});
            for (std::uint64_t ticket : waiting) {
                self->guarded("verify reply", [&] {
                    self->answer(ticket, failure, [&report](sd_bus_message* reply) {
                        using Verify = manager_api::Verify;
                        int r = sd_bus_message_append(reply, Verify::arg::ok,
                                                      static_cast<int>(report->ok()));
                        if (r < 0) return r;
                        r = sd_bus_message_append(
                            reply, Verify::arg::files_checked,
                            static_cast<std::uint64_t>(report->files_checked));
                        if (r < 0) return r;
                        r = sd_bus_message_open_container(reply, 'a', kProblemType);
                        for (const auto& problem : report->problems) {
                            if (r < 0) return r;
                            r = sd_bus_message_append(reply, kProblemType, problem.c_str());
                        }
                        if (r < 0) return r;
                        return sd_bus_message_close_container(reply);
                    });
                });
            }
        });
}

int DbusServer::open_recording(sd_bus_message* call) {
    std::int64_t id = 0;
    const char* reason = nullptr;
    check(sd_bus_message_read(call, manager_api::OpenRecording::in, &id, &reason), "arguments");
    if (id <= 0) throw CallError(SD_BUS_ERROR_INVALID_ARGS, "id: not a recording id");
    require_valid("reason", reason, dbus::Emptiness::refused, dbus::kMaxReasonBytes);
    const std::string what =
        "OpenRecording of recording " + std::to_string(id) + " for '" + reason + "'";
    // Put on record below, once it is known whether the recording is confidential too.
    when_allowed(
        park(call), call, dbus::Right::export_recordings, what, OnRecord::no,
        [this, id, what](std::uint64_t ticket, const dbus::Caller& caller) {
            const std::optional<RecordingRow> row = catalog_->recording(id);
            if (!row) {
                throw CallError(SD_BUS_ERROR_INVALID_ARGS,
                                "id: no recording " + std::to_string(id));
            }
            const AuditEvent record{"access.export", 0, {}, id, what + " by " + caller.changed_by};
            if (!catalog_->confidential_marks().covers(*row)) {
                on_record_then(ticket, record,
                               [this, ticket, id] { hand_over_recording(ticket, id); });
                return;
            }
            ask_right(ticket, caller, dbus::Right::read_confidential,
                      [weak = weak_from_this(), ticket, id, what, caller, record](
                          bool granted, const std::string& why) {
                          auto self = weak.lock();
                          if (!self) return;
                          if (!granted) {
                              self->refuse_call(ticket, caller,
                                                what + " (a confidential recording)", why);
                              return;
                          }
                          AuditEvent confidential = record;
                          confidential.detail += ", a confidential recording";
                          self->on_record_then(ticket, confidential, [self, ticket, id] {
                              self->hand_over_recording(ticket, id);
                          });
                      });
        });
    return 1;
}

void DbusServer::hand_over_recording(std::uint64_t ticket, std::int64_t id) {
    const std::optional<RecordingRow> row = catalog_->recording(id);
    if (!row) {
        throw CallError(SD_BUS_ERROR_INVALID_ARGS, "id: no recording " + std::to_string(id));
    }
    if (row->state == RecordingState::copying || row->sha256_hex.empty()) {
        throw CallError(SD_BUS_ERROR_INVALID_ARGS,
                        "id: recording " + std::to_string(id) + " is not archived yet");
    }
    if (!is_archive_relative_path(row->archive_path)) {
        throw CallError(SD_BUS_ERROR_INVALID_ARGS, "id: recording " + std::to_string(id) +
                                                       " has no valid archive path (run verify)");
    }
    // Read-only, and never through a link: the catalog's path names a file the service wrote.
    const std::filesystem::path file = service_.config().state_dir / "archive" / row->archive_path;
    const Fd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY));
    if (!fd) {
        throw CallError(SD_BUS_ERROR_INVALID_ARGS, "id: the file of recording " +
                                                       std::to_string(id) +
                                                       " cannot be opened: " + errno_text(-errno));
    }
    const std::string name = sanitize_text(row->key.name);
    answer(ticket, nullptr, [&](sd_bus_message* reply) {
        // sd-bus duplicates the descriptor into the message.
        return sd_bus_message_append(reply, manager_api::OpenRecording::out, fd.get(),
                                     row->sha256_hex.c_str(),
                                     static_cast<std::uint64_t>(row->key.size), name.c_str());
    });
}

int DbusServer::set_confidential(sd_bus_message* call) {
    const char* kind = nullptr;
    const char* target = nullptr;
    int confidential = 0;
    const char* reason = nullptr;
    check(sd_bus_message_read(call, manager_api::SetConfidential::in, &kind, &target, &confidential,
                              &reason),
          "arguments");
    const std::string kind_text = kind;
    if (kind_text != "device" && kind_text != "recording") {
        throw CallError(SD_BUS_ERROR_INVALID_ARGS, "kind: \"device\" or \"recording\"");
    }
    require_valid("target", target);
    std::int64_t recording_id = 0;
    if (kind_text == "recording") {
        const std::string_view digits = target;
        const auto [end, error] =
            std::from_chars(digits.data(), digits.data() + digits.size(), recording_id);
        if (error != std::errc{} || end != digits.data() + digits.size() || recording_id <= 0) {
            throw CallError(SD_BUS_ERROR_INVALID_ARGS, "target: not a recording id");
        }
    }
    require_valid("reason", reason, dbus::Emptiness::refused, dbus::kMaxReasonBytes);
    when_allowed(
        park(call), call, dbus::Right::read_confidential, "SetConfidential", OnRecord::no,
        [this, kind_text, serial = std::string(target), recording_id, mark = confidential != 0,
         reason = std::string(reason)](std::uint64_t ticket, const dbus::Caller& caller) {
            auto changed = std::make_shared<bool>(false);
            service_.catalog_work(
                [=](Catalog& catalog) {
                    if (kind_text == "device") {
                        if (!catalog.find_device(serial)) throw no_such_device(serial);
                        *changed = catalog.mark_device_confidential(serial, mark, reason,
                                                                    unix_now(), caller.changed_by);
                    } else {
                        if (!catalog.recording(recording_id)) {
                            throw CallError(SD_BUS_ERROR_INVALID_ARGS,
                                            "target: no recording " + std::to_string(recording_id));
                        }
                        *changed = catalog.mark_recording_confidential(
                            recording_id, mark, reason, unix_now(), caller.changed_by);
                    }
                },
                [weak = weak_from_this(), ticket, changed](std::exception_ptr failure) {
                    auto self = weak.lock();
                    if (!self) return;
                    self->guarded("confidentiality mark", [&] {
                        self->answer(ticket, failure, [&](sd_bus_message* reply) {
                            return sd_bus_message_append(reply, manager_api::SetConfidential::out,
                                                         static_cast<int>(*changed));
                        });
                    });
                });
        });
    return 1;
}

void DbusServer::dock_ended(const DockReport& report) {
    if (!serving()) return;
    using DockFinished = manager_api::DockFinished;
    sd_bus_emit_signal(bus_.get(), dbus::kRootPath, dbus::kManagerInterface, DockFinished::name,
                       DockFinished::signature, static_cast<std::uint32_t>(report.bay),
                       report.serial.c_str(), light_name(report.light), report.outcome.c_str(),
                       static_cast<std::uint32_t>(report.archived),
                       static_cast<std::uint32_t>(report.wiped),
                       static_cast<std::uint32_t>(report.left_on_camera));
    if (!report.serial.empty()) {
        last_outcomes_[report.serial] = report.outcome;
        device_changed(report.serial);
    }
    loop_->wake();
}

}  // namespace cradle::dbus_server
