// SPDX-License-Identifier: Apache-2.0
// The D-Bus server's private declarations, shared by its files: one file per object of the API
// (dbus_manager.cpp, dbus_bay.cpp, dbus_device.cpp), the Manager's changes of the register
// (dbus_register.cpp) and its report facts and roster (dbus_report_methods.cpp), who may
// change what (dbus_authorization.cpp), and the connection with its calls parked and answered
// (dbus_server.cpp). Nothing outside service/dbus/ includes it.
#pragma once

#include "common/log.hpp"
#include "core/catalog/catalog.hpp"
#include "engine/service_api.hpp"
#include "engine/status_board.hpp"
#include "protocol/dbus_handles.hpp"
#include "protocol/dbus_names.hpp"
#include "protocol/dbus_signature.hpp"
#include "service/dbus/caller_guard.hpp"
#include "service/dbus/dbus_arguments.hpp"
#include "service/dbus/dbus_caller.hpp"
#include "service/dbus/dbus_loop.hpp"
#include "service/dbus/dbus_server.hpp"
#include "service/dbus/listing_slots.hpp"
#include "service/dbus/refusal_record.hpp"

#include <systemd/sd-bus.h>

#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace cradle::dbus_server {

// Well below the system bus's message size limit: a longer list is refused with a hint.
constexpr std::size_t kMaxReplyBytes = 16u << 20;

// The contract's names and signatures, generated from dbus/org.cradled.Cradle1.xml.
namespace api = protocol::cradle1;
namespace manager_api = api::Manager;
namespace bay_api = api::Bay;
namespace device_api = api::Device;

// The elements of the arrays the server composes item by item.
constexpr auto kBayType = dbus::element_of(manager_api::ListBays::arg::bays);
constexpr auto kDeviceType = dbus::element_of(manager_api::ListDevices::arg::devices);

// The sd-bus flags of a property, from its EmitsChangedSignal annotation in the XML.
constexpr std::uint64_t property_flags(std::string_view emits_changed) {
    if (emits_changed == "const") return SD_BUS_VTABLE_PROPERTY_CONST;
    if (emits_changed == "invalidates") return SD_BUS_VTABLE_PROPERTY_EMITS_INVALIDATION;
    if (emits_changed == "true") return SD_BUS_VTABLE_PROPERTY_EMITS_CHANGE;
    return 0;  // "false": read when asked, never signalled
}

// Appends a property's value with the signature the contract gives the property.
template <class Property, class... Value>
int append_value(sd_bus_message* reply, Value... value) {
    return sd_bus_message_append(reply, Property::signature, value...);
}

// An answer other than success, thrown by a call's work and turned into its error reply.
class CallError : public std::runtime_error {
  public:
    CallError(std::string name, const std::string& text)
        : std::runtime_error(text), name_(std::move(name)) {}
    const std::string& name() const { return name_; }

  private:
    std::string name_;
};

CallError no_such_device(const std::string& serial);
// Throws InvalidArgs naming the argument when `value` is not acceptable text.
void require_valid(std::string_view name, const char* value,
                   dbus::Emptiness empty = dbus::Emptiness::refused,
                   std::size_t max_bytes = dbus::kMaxArgumentBytes);
// Sets `error` from the exception in flight, for sd-bus to answer with. Never throws.
int error_from_current_exception(sd_bus_error* error) noexcept;
// Throws when an sd-bus call failed (`r` negative), naming `what`.
void check(int r, const char* what);
std::string errno_text(int negative_errno);
std::int64_t unix_now();
// The light's name in the API (the Light property, BayChanged, DockFinished).
const char* light_name(hw::BayLight light);
std::string bay_path(int bay);
std::string device_path(const std::string& serial);
// Appends one device as ListDevices lists it; a negative errno when the append failed.
int append_device(sd_bus_message* reply, const DeviceRow& device);

// The serial ("" for every device) and the time window (inclusive, 0 = open) of a list:
// InvalidArgs naming the argument when one is wrong. Returns how the audit entry of the read
// names them, e.g. " of serial 'X' captured from 1700000000".
struct WindowNames {
    const char* from;  // the arguments' names
    const char* to;
    const char* in_audit;  // the word before "from" and "to" in the audit entry ("" or " captured")
};
inline constexpr WindowNames kCaptureWindow{"captured_from", "captured_to", " captured"};
inline constexpr WindowNames kChangeWindow{"from", "to", ""};
std::string require_window(const char* serial, std::int64_t from, std::int64_t to,
                           const WindowNames& names);

// The paged lists (ListDevicesPage and the others): how many rows a page holds at most, and
// their cursors. A cursor is the key of the page before's last row: a serial or a badge as it
// is, or a time and an id as "T.ID". A count out of range or a cursor these did not make is
// InvalidArgs.
constexpr std::uint32_t kMaxPageRows = 1000;
void require_page_count(std::uint32_t count);
std::string time_cursor(const TimeKey& key);
std::optional<TimeKey> parse_time_cursor(const char* cursor);
// Keeps the first `count` of `rows` (read with one more) and returns the cursor of the next
// page: "" when there is none.
template <class Row, class KeyOf>
std::string cut_page(std::vector<Row>& rows, std::uint32_t count, KeyOf cursor_of) {
    if (rows.size() <= count) return "";
    rows.resize(count);
    return cursor_of(rows.back());
}

// The userdata of one bay object.
class DbusServer;
struct BayObject {
    DbusServer* server = nullptr;
    int bay = 0;
};

class DbusServer : public std::enable_shared_from_this<DbusServer> {
  public:
    DbusServer(ServiceApi& service, const BusOptions& options);
    DbusServer(const DbusServer&) = delete;
    DbusServer& operator=(const DbusServer&) = delete;
    ~DbusServer() { close(); }

    // Everything that needs shared_from_this: the objects, the name, the listeners.
    void start();
    void close();

    // Runs `work` of a callback on the loop; an exception is logged, never thrown into the
    // service's loop.
    template <class Work>
    void guarded(const char* what, Work&& work) noexcept {
        try {
            work();
        } catch (const std::exception& e) {
            try {
                service_.log().warning({}, std::string("D-Bus: ") + what + ": " + e.what());
            } catch (...) {
            }
        }
    }

    // Manager methods. Each returns what sd-bus expects of a method handler; errors are thrown
    // and answered by the caller of these (see the vtables).
    int list_bays(sd_bus_message* call);
    int list_devices(sd_bus_message* call);
    int get_device(sd_bus_message* call);
    int list_recordings(sd_bus_message* call);
    int list_recordings_page(sd_bus_message* call);
    // Reads the recordings `filter` picks (of `serial`, "" for all) on the worker pool and
    // answers; with `paged`, one page of filter.first rows and the next cursor.
    void read_recordings(std::uint64_t ticket, const dbus::Caller& caller,
                         const std::string& serial, Catalog::RecordingFilter filter, bool paged);
    int verify(sd_bus_message* call);
    int open_recording(sd_bus_message* call);
    int set_confidential(sd_bus_message* call);
    void hand_over_recording(std::uint64_t ticket, std::int64_t id);
    void run_verify(std::uint64_t ticket);
    int register_device(sd_bus_message* call);
    int assign_device(sd_bus_message* call);
    int retire_device(sd_bus_message* call);
    int rotate_signing_key(sd_bus_message* call);
    int get_device_history(sd_bus_message* call);
    int get_device_history_page(sd_bus_message* call);
    int list_devices_page(sd_bus_message* call);
    int list_officers_page(sd_bus_message* call);
    // A page of a list keyed by text (devices by serial, officers by badge): reads the cursor
    // and the count of the call (its signature `in`), then `read` with them on the worker pool.
    template <class Page>
    int serve_keyed_page(
        sd_bus_message* call, const char* method, const char* in,
        std::function<Page(const Catalog&, const std::string& after, std::uint32_t count)> read,
        int (*append)(sd_bus_message*, const Page&));
    int get_assignments_facts(sd_bus_message* call);
    int get_dock_day_facts(sd_bus_message* call);
    int list_officers(sd_bus_message* call);
    int import_officers(sd_bus_message* call);

    int manager_property(const char* property, sd_bus_message* reply);
    int bay_property(int bay, const char* property, sd_bus_message* reply);
    int device_property(const char* path, const char* property, sd_bus_message* reply);
    bool device_exists(const char* path);
    std::vector<std::string> device_paths();

    // The answers to when_allowed's questions (dbus_authorization.cpp): the bus daemon's, who
    // is calling, then polkit's, whether they hold the right.
    void credentials_known(std::uint64_t ticket, sd_bus_message* credentials);
    void polkit_answered(std::uint64_t ticket, sd_bus_message* answer);

  private:
    // The connection (dbus_server.cpp): connect opens it to address_; serve adds the objects,
    // takes the name and watches the connection on the loop; drop_connection forgets the
    // connection and all that was tied to it. After a loss, reconnect tries again, with growing
    // pauses, until it serves again.
    void connect();
    void serve();
    void drop_connection();
    void connection_lost(int error);
    void reconnect();
    void take_name();
    void load_last_outcomes();
    // Each object's vtable, in that object's file: a negative errno when sd-bus refused it.
    int add_manager_object();
    int add_bay_object(int bay);
    int add_device_objects();
    // Reads facts with `read` on the worker pool (its own read-only catalog connection), then
    // answers the call with `append`. Refused while listing_slots_ has none for the caller.
    // Confidential recordings among a report's facts are shown only when `caller` holds
    // org.cradled.read-confidential (on record, naming `method`), else withheld.
    template <class Facts>
    void reply_with_facts(std::uint64_t ticket, const dbus::Caller& caller, const char* method,
                          std::function<Facts(const Catalog&, const std::string& cradle)> read,
                          int (*append)(sd_bus_message*, const Facts&), const char* too_large);

    // Asks the bus who sent the parked call and polkit whether they hold `right`; answers the
    // call with AccessDenied unless they do, else runs `allowed` on the loop. With
    // OnRecord::yes the access is first put on record (an audit entry naming the caller and
    // `what`, e.g. "ListRecordings of serial 'X'"); a change that writes its own audit entry
    // naming the caller passes OnRecord::no. `allowed` may throw to answer.
    using Allowed = std::function<void(std::uint64_t ticket, const dbus::Caller&)>;
    enum class OnRecord { no, yes };
    void when_allowed(std::uint64_t ticket, sd_bus_message* call, dbus::Right right,
                      std::string what, OnRecord on_record, Allowed allowed);
    // The end of when_allowed's check: the call allowed (put on record first if asked), or
    // refused with `why` (logged and audited within refusals_'s limits).
    void allow(std::uint64_t ticket);
    void refuse(std::uint64_t ticket, const std::string& why);
    // Answers a parked call with AccessDenied and puts the refusal on record (within
    // refusals_'s limits): `what` the caller asked, `why` not.
    void refuse_call(std::uint64_t ticket, const dbus::Caller& caller, const std::string& what,
                     const std::string& why);
    // Asks polkit whether `caller`, whose call `ticket` is parked and already allowed once,
    // also holds `right`, without answering the call: `decided` runs on the loop with the
    // answer, and the reason when it is no. Nothing is put on record.
    using Decided = std::function<void(bool granted, const std::string& why)>;
    void ask_right(std::uint64_t ticket, const dbus::Caller& caller, dbus::Right right,
                   Decided decided);
    void ask_polkit(std::uint64_t ticket);
    // Writes `event` to the audit log, then runs `then` on the loop (which may throw to answer
    // the parked call); a failure to write answers the call with it.
    void on_record_then(std::uint64_t ticket, const AuditEvent& event, std::function<void()> then);
    // on_record_then, answering the call with the reply `fill` completes.
    void on_record_then_answer(std::uint64_t ticket, const AuditEvent& event,
                               std::function<int(sd_bus_message*)> fill);
    // Answers a parked call with AccessDenied.
    void deny(std::uint64_t ticket, const std::string& why);
    // Keeps a call to answer later; the work's callbacks carry only the ticket, so the
    // message's references are only ever touched on the loop.
    std::uint64_t park(sd_bus_message* call);
    // Answers a parked call: the error in `failure`, or a reply that `fill` completes.
    void answer(std::uint64_t ticket, std::exception_ptr failure,
                const std::function<int(sd_bus_message*)>& fill);
    // Runs a change of the register on the catalog's strand, then answers the parked call and,
    // if the change was made, announces the device's new entry.
    void change_register(std::uint64_t ticket, const std::string& serial,
                         std::function<void(Catalog&)> change);

    void bay_changed(const BayStatus& status);
    void dock_ended(const DockReport& report);
    void device_changed(const std::string& serial);
    bool serving() const { return bus_ && !lost_; }

    ServiceApi& service_;
    std::string address_;
    std::string cradle_name_;
    dbus::BusPtr bus_;
    std::optional<Catalog> catalog_;  // read-only, for the quick reads on the loop
    std::vector<dbus::SlotPtr> slots_;
    std::deque<BayObject> bay_objects_;  // a deque: sd-bus holds pointers to its elements
    std::unique_ptr<dbus::BusLoop> loop_;
    std::unique_ptr<dbus::RetryTimer> retry_;  // the next reconnection, after a loss
    int reconnect_attempts_ = 0;
    std::vector<BayStatus> last_bays_;
    std::set<std::string> known_devices_;
    std::map<std::string, std::string> last_outcomes_;  // by serial
    std::map<std::uint64_t, dbus::MessagePtr> parked_;
    std::vector<std::uint64_t> verify_waiting_;  // the calls the running verify answers
    dbus::ListingSlots listing_slots_;           // the lists and report facts being read

  public:
    struct CredentialsCheck {
        DbusServer* server = nullptr;
        std::uint64_t ticket = 0;
        dbus::Right right = dbus::Right::administer;
        std::string what;
        OnRecord on_record = OnRecord::yes;
        dbus::Caller caller;
        Allowed allowed;
        Decided decided;  // set by ask_right: only the decision is wanted
        // The question being asked (GetConnectionCredentials, then CheckAuthorization);
        // dropping it cancels it.
        dbus::SlotPtr pending;
    };

    // A question of the caller guard to the bus daemon about one connection: who it is, or
    // how much waits unread in its queue (dbus_guard.cpp).
    struct GuardQuestion {
        DbusServer* server = nullptr;
        std::uint64_t id = 0;
        std::string connection;
        dbus::SlotPtr pending;  // dropping it cancels the question
    };
    // The caller guard (dbus_guard.cpp): every method call passes guard_call first, which
    // answers 0 to dispatch it, or a positive value when it answered or dropped it.
    int guard_call(sd_bus_message* call);
    void guard_identified(std::uint64_t question, sd_bus_message* credentials);
    void guard_measured(std::uint64_t question, sd_bus_message* stats);
    void connection_left(sd_bus_message* name_owner_changed);

  private:
    // The caller guard's side of serve(): the filter and the watch for connections leaving.
    void add_caller_guard();
    void ask_guard_question(const std::string& connection, bool measure);
    void log_guard_change(const std::string& connection, dbus::CallerGuard::Change change,
                          std::uint64_t queued_bytes);
    dbus::CallerGuard guard_;
    std::map<std::uint64_t, std::unique_ptr<GuardQuestion>> guard_questions_;
    std::uint64_t next_guard_question_ = 1;
    bool queues_unmeasurable_ = false;  // the bus daemon does not tell (see dbus_guard.cpp)

    std::map<std::uint64_t, std::unique_ptr<CredentialsCheck>> checks_;
    dbus::RefusalRecord refusals_;
    std::uint64_t next_ticket_ = 1;
    bool lost_ = false;
};

// The C callback of a Manager method: turns any exception into an error reply, so none
// crosses sd-bus.
template <int (DbusServer::*Method)(sd_bus_message*)>
int method_callback(sd_bus_message* call, void* userdata, sd_bus_error* error) {
    try {
        return (static_cast<DbusServer*>(userdata)->*Method)(call);
    } catch (...) {
        return error_from_current_exception(error);
    }
}

// The vtables: every name, signature, argument name and property flag comes from the XML
// (api::, generated from it); what is left in each object's file is which handler serves which
// member. Every method is marked unprivileged for sd-bus: the service makes its own check
// (when_allowed).
constexpr std::uint64_t kCallable = SD_BUS_VTABLE_UNPRIVILEGED;

// The empty argument is sd-bus's second list of names: arg_names holds the results' too.
#define CRADLE_METHOD(member, handler)                                                   \
    SD_BUS_METHOD_WITH_NAMES(member::name, member::in, member::arg_names, member::out, , \
                             method_callback<handler>, kCallable)
#define CRADLE_SIGNAL(member) \
    SD_BUS_SIGNAL_WITH_NAMES(member::name, member::signature, member::arg_names, 0)
#define CRADLE_PROPERTY(member, getter)                         \
    SD_BUS_PROPERTY(member::name, member::signature, getter, 0, \
                    property_flags(member::emits_changed))

}  // namespace cradle::dbus_server
