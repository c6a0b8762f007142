// SPDX-License-Identifier: Apache-2.0
// The D-Bus API of dbus/org.cradled.Cradle1.xml, served with sd-bus.
//
// Why sd-bus directly, and not sdbus-c++: libsystemd is already linked for sd_notify and the
// journal, so the API costs no further library; its vtable C API dispatches on whichever thread
// calls sd_bus_process(), which lets it run on the service's single-threaded Boost.Asio loop
// (dbus_loop.hpp) with no thread of its own; and the thin RAII owners of dbus_handles.hpp are
// all the C++ it needs.
//
// Reads that are quick (bays from the status board, devices and officers from a read-only
// catalog connection kept open) are answered on the loop. ListRecordings, the report facts and
// Verify run on the worker pool, each with its own read-only connection, and are answered when
// done. Changes to the register and the roster go through the service's one writing connection
// (catalog_work).
#include "service/dbus/dbus_server.hpp"

#include "common/log.hpp"
#include "common/system_clock.hpp"
#include "common/text.hpp"
#include "core/catalog/catalog.hpp"
#include "core/catalog/report_queries.hpp"
#include "core/catalog/state_verifier.hpp"
#include "engine/status_board.hpp"
#include "protocol/dbus_handles.hpp"
#include "protocol/dbus_names.hpp"
#include "protocol/dbus_report_facts.hpp"
#include "protocol/dbus_signature.hpp"
#include "service/dbus/dbus_arguments.hpp"
#include "service/dbus/dbus_caller.hpp"
#include "service/dbus/dbus_loop.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <map>
#include <new>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cradle {
namespace {

constexpr const char* kDefaultSystemBus = "unix:path=/run/dbus/system_bus_socket";

// The credential look-up of a changing call (GetConnectionCredentials, asked asynchronously):
// a bus daemon that does not answer within this makes the call fail as AccessDenied.
constexpr std::uint64_t kMethodCallTimeoutUsec = 5'000'000;
// Well below the system bus's message size limit: a longer list is refused with a hint.
constexpr std::size_t kMaxReplyBytes = 16u << 20;
// Recording lists and report facts read on the worker pool at once; more callers are asked to
// retry, so that the pool stays free for the bays.
constexpr int kMaxListingsAtOnce = 2;
// More officers than any police station has; a larger import is a wrong file.
constexpr std::size_t kMaxOfficersPerImport = 100'000;
// Problems named in one refusal of ImportOfficers; the count says how many more there were.
constexpr std::size_t kMaxProblemsNamed = 20;

// The contract's names and signatures, generated from dbus/org.cradled.Cradle1.xml.
namespace api = protocol::cradle1;
namespace manager_api = api::Manager;
namespace bay_api = api::Bay;
namespace device_api = api::Device;

// The elements of the arrays the server composes item by item.
constexpr auto kBayType = dbus::element_of(manager_api::ListBays::arg::bays);
constexpr auto kDeviceType = dbus::element_of(manager_api::ListDevices::arg::devices);
constexpr auto kRecordingType = dbus::element_of(manager_api::ListRecordings::arg::recordings);
constexpr auto kHistoryType = dbus::element_of(manager_api::GetDeviceHistory::arg::history);
constexpr auto kProblemType = dbus::element_of(manager_api::Verify::arg::problems);
static_assert(dbus::same_signature(kDeviceType, manager_api::GetDevice::arg::device),
              "GetDevice answers one device as ListDevices lists them");

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

// The Device properties that a change of the device's entry or a dock of it invalidates: those
// the XML marks "invalidates".
std::vector<char*> device_changing_properties() {
    std::vector<char*> names;
    for (const api::PropertyInfo& property : api::Device::properties) {
        if (std::string_view(property.emits_changed) == "invalidates") {
            names.push_back(const_cast<char*>(property.name));
        }
    }
    names.push_back(nullptr);
    return names;
}

// The light's name in the API (the Light property, BayChanged, DockFinished).
const char* light_name(hw::BayLight light) {
    switch (light) {
        case hw::BayLight::off:
            return "off";
        case hw::BayLight::working:
            return "working";
        case hw::BayLight::ready:
            return "ready";
        case hw::BayLight::not_ready:
            return "not ready";
        case hw::BayLight::needs_custodian:
            return "needs custodian";
    }
    return "off";
}

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// The name reports print for this cradle.
std::string host_name() {
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "cradle";
    return sanitize_text(name);
}

std::string errno_text(int negative_errno) {
    return std::strerror(-negative_errno);
}

std::string bay_path(int bay) {
    return std::string(dbus::kBayPathPrefix) + "/" + std::to_string(bay);
}

std::string device_path(const std::string& serial) {
    char* raw = nullptr;
    int r = sd_bus_path_encode(dbus::kDevicePathPrefix, serial.c_str(), &raw);
    if (r < 0) throw std::bad_alloc();
    std::string path(raw);
    std::free(raw);
    return path;
}

// The serial of a device object's path; nullopt for any other path.
std::optional<std::string> device_serial(const char* path) {
    char* raw = nullptr;
    int r = sd_bus_path_decode(path, dbus::kDevicePathPrefix, &raw);
    if (r <= 0 || raw == nullptr) return std::nullopt;
    std::string serial(raw);
    std::free(raw);
    if (serial.empty()) return std::nullopt;
    return serial;
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

CallError no_such_device(const std::string& serial) {
    return CallError(dbus::kErrorNoSuchDevice,
                     "no device with serial '" + serial + "' in the register or catalog");
}

void require_valid(std::string_view name, const char* value,
                   dbus::Emptiness empty = dbus::Emptiness::refused,
                   std::size_t max_bytes = dbus::kMaxArgumentBytes) {
    std::string problem = dbus::argument_problem(name, value ? value : "", empty, max_bytes);
    if (!problem.empty()) throw CallError(SD_BUS_ERROR_INVALID_ARGS, problem);
}

// Sets `error` from the exception in flight, for sd-bus to answer with. Never throws.
int error_from_current_exception(sd_bus_error* error) noexcept {
    try {
        throw;
    } catch (const std::bad_alloc&) {
        return -ENOMEM;
    } catch (const CallError& e) {
        return sd_bus_error_set(error, e.name().c_str(), e.what());
    } catch (const CatalogError& e) {
        return sd_bus_error_set(error, dbus::kErrorCatalog, e.what());
    } catch (const std::exception& e) {
        return sd_bus_error_set(error, SD_BUS_ERROR_FAILED, e.what());
    } catch (...) {
        return sd_bus_error_set(error, SD_BUS_ERROR_FAILED, "internal error");
    }
}

// Returns a negative errno when the append failed.
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

int append_device(sd_bus_message* reply, const DeviceRow& device) {
    return sd_bus_message_append(
        reply, kDeviceType, device.serial.c_str(), device.manufacturer.c_str(),
        device.model.c_str(), device.firmware.c_str(), static_cast<int>(device.registered),
        device.custodian.c_str(), device.officer.c_str(), device.head.c_str(),
        static_cast<std::int64_t>(device.first_seen), static_cast<std::int64_t>(device.last_seen));
}

struct RecordingListing {
    RecordingRow row;
    std::string serial;
    std::string name;
};

void check(int r, const char* what) {
    if (r < 0) {
        if (r == -ENOMEM) throw std::bad_alloc();
        throw std::runtime_error(std::string(what) + ": " + errno_text(r));
    }
}

class DbusServer;

// The userdata of one bay object.
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
    int verify(sd_bus_message* call);
    int register_device(sd_bus_message* call);
    int assign_device(sd_bus_message* call);
    int retire_device(sd_bus_message* call);
    int get_device_history(sd_bus_message* call);
    int get_assignments_facts(sd_bus_message* call);
    int get_dock_day_facts(sd_bus_message* call);
    int list_officers(sd_bus_message* call);
    int import_officers(sd_bus_message* call);

    int manager_property(const char* property, sd_bus_message* reply);
    int bay_property(int bay, const char* property, sd_bus_message* reply);
    int device_property(const char* path, const char* property, sd_bus_message* reply);
    bool device_exists(const char* path);
    std::vector<std::string> device_paths();

  private:
    void connect(const BusOptions& options);
    void add_objects();
    void take_name();
    void load_last_outcomes();
    // Reads facts with `read` on the worker pool (its own read-only catalog connection), then
    // answers the call with `append`. Refused while kMaxListingsAtOnce reads are running.
    template <class Facts>
    int reply_with_facts(sd_bus_message* call,
                         std::function<Facts(const Catalog&, const std::string& cradle)> read,
                         int (*append)(sd_bus_message*, const Facts&));

    // Asks the bus who sent the parked call; answers it with AccessDenied unless the sender
    // is root or a custodian, else runs `allowed` on the loop. `allowed` may throw to answer.
    using Allowed = std::function<void(std::uint64_t ticket, const dbus::Caller&)>;
    void when_custodian(std::uint64_t ticket, sd_bus_message* call, const char* method,
                        Allowed allowed);
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
    void connection_lost(int error);
    bool serving() const { return bus_ && !lost_; }

    ServiceApi& service_;
    std::string address_;
    std::string cradle_name_ = host_name();
    dbus::BusPtr bus_;
    std::optional<Catalog> catalog_;  // read-only, for the quick reads on the loop
    std::vector<dbus::SlotPtr> slots_;
    std::deque<BayObject> bay_objects_;  // a deque: sd-bus holds pointers to its elements
    std::unique_ptr<dbus::BusLoop> loop_;
    std::vector<BayStatus> last_bays_;
    std::set<std::string> known_devices_;
    std::map<std::string, std::string> last_outcomes_;  // by serial
    std::map<std::uint64_t, dbus::MessagePtr> parked_;
    std::vector<std::uint64_t> verify_waiting_;  // the calls the running verify answers
    int listings_running_ = 0;

  public:
    // The bus daemon's answer to when_custodian's question (credentials_callback).
    void credentials_known(std::uint64_t ticket, sd_bus_message* credentials);
    struct CredentialsCheck {
        DbusServer* server = nullptr;
        std::uint64_t ticket = 0;
        std::string method;
        Allowed allowed;
        dbus::SlotPtr pending;  // the GetConnectionCredentials call; dropping it cancels it
    };

  private:
    std::map<std::uint64_t, std::unique_ptr<CredentialsCheck>> checks_;
    std::uint64_t next_ticket_ = 1;
    bool lost_ = false;
};

// The C callbacks: each turns any exception into an error reply, so none crosses sd-bus.

template <int (DbusServer::*Method)(sd_bus_message*)>
int method_callback(sd_bus_message* call, void* userdata, sd_bus_error* error) {
    try {
        return (static_cast<DbusServer*>(userdata)->*Method)(call);
    } catch (...) {
        return error_from_current_exception(error);
    }
}

int manager_property_callback(sd_bus*, const char*, const char*, const char* property,
                              sd_bus_message* reply, void* userdata, sd_bus_error* error) {
    try {
        return static_cast<DbusServer*>(userdata)->manager_property(property, reply);
    } catch (...) {
        return error_from_current_exception(error);
    }
}

int bay_property_callback(sd_bus*, const char*, const char*, const char* property,
                          sd_bus_message* reply, void* userdata, sd_bus_error* error) {
    try {
        auto* object = static_cast<BayObject*>(userdata);
        return object->server->bay_property(object->bay, property, reply);
    } catch (...) {
        return error_from_current_exception(error);
    }
}

int device_property_callback(sd_bus*, const char* path, const char*, const char* property,
                             sd_bus_message* reply, void* userdata, sd_bus_error* error) {
    try {
        return static_cast<DbusServer*>(userdata)->device_property(path, property, reply);
    } catch (...) {
        return error_from_current_exception(error);
    }
}

int find_device_callback(sd_bus*, const char* path, const char*, void* userdata, void** found,
                         sd_bus_error* error) {
    try {
        auto* server = static_cast<DbusServer*>(userdata);
        if (!server->device_exists(path)) return 0;
        *found = server;
        return 1;
    } catch (...) {
        return error_from_current_exception(error);
    }
}

int enumerate_devices_callback(sd_bus*, const char*, void* userdata, char*** nodes,
                               sd_bus_error* error) {
    try {
        std::vector<std::string> paths = static_cast<DbusServer*>(userdata)->device_paths();
        // sd-bus frees the list and its strings with free().
        auto** list = static_cast<char**>(std::calloc(paths.size() + 1, sizeof(char*)));
        if (list == nullptr) return -ENOMEM;
        for (std::size_t i = 0; i < paths.size(); ++i) {
            list[i] = ::strdup(paths[i].c_str());
            if (list[i] == nullptr) {
                for (std::size_t j = 0; j < i; ++j) std::free(list[j]);
                std::free(list);
                return -ENOMEM;
            }
        }
        *nodes = list;
        return 0;
    } catch (...) {
        return error_from_current_exception(error);
    }
}

// The vtables: every name, signature, argument name and property flag comes from the XML
// (api::, generated from it); what is left here is which handler serves which member. Every
// method is marked unprivileged for sd-bus: the service makes its own check (require_custodian).
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

const sd_bus_vtable kManagerVtable[] = {
    SD_BUS_VTABLE_START(0),
    CRADLE_PROPERTY(manager_api::Version, manager_property_callback),
    CRADLE_PROPERTY(manager_api::BayCount, manager_property_callback),
    CRADLE_PROPERTY(manager_api::StateDirectory, manager_property_callback),
    CRADLE_PROPERTY(manager_api::ClockSynchronised, manager_property_callback),
    CRADLE_METHOD(manager_api::ListBays, &DbusServer::list_bays),
    CRADLE_METHOD(manager_api::ListDevices, &DbusServer::list_devices),
    CRADLE_METHOD(manager_api::GetDevice, &DbusServer::get_device),
    CRADLE_METHOD(manager_api::ListRecordings, &DbusServer::list_recordings),
    CRADLE_METHOD(manager_api::Verify, &DbusServer::verify),
    CRADLE_METHOD(manager_api::RegisterDevice, &DbusServer::register_device),
    CRADLE_METHOD(manager_api::AssignDevice, &DbusServer::assign_device),
    CRADLE_METHOD(manager_api::RetireDevice, &DbusServer::retire_device),
    CRADLE_METHOD(manager_api::GetDeviceHistory, &DbusServer::get_device_history),
    CRADLE_METHOD(manager_api::GetAssignmentsFacts, &DbusServer::get_assignments_facts),
    CRADLE_METHOD(manager_api::GetDockDayFacts, &DbusServer::get_dock_day_facts),
    CRADLE_METHOD(manager_api::ListOfficers, &DbusServer::list_officers),
    CRADLE_METHOD(manager_api::ImportOfficers, &DbusServer::import_officers),
    CRADLE_SIGNAL(manager_api::BayChanged),
    CRADLE_SIGNAL(manager_api::DockFinished),
    CRADLE_SIGNAL(manager_api::DeviceChanged),
    SD_BUS_VTABLE_END,
};

const sd_bus_vtable kBayVtable[] = {
    SD_BUS_VTABLE_START(0),
    CRADLE_PROPERTY(bay_api::Number, bay_property_callback),
    CRADLE_PROPERTY(bay_api::Phase, bay_property_callback),
    CRADLE_PROPERTY(bay_api::Light, bay_property_callback),
    CRADLE_PROPERTY(bay_api::DeviceSerial, bay_property_callback),
    CRADLE_PROPERTY(bay_api::DeviceModel, bay_property_callback),
    CRADLE_PROPERTY(bay_api::Outcome, bay_property_callback),
    CRADLE_PROPERTY(bay_api::DockedSince, bay_property_callback),
    CRADLE_PROPERTY(bay_api::RecordingsTotal, bay_property_callback),
    CRADLE_PROPERTY(bay_api::RecordingsDone, bay_property_callback),
    CRADLE_PROPERTY(bay_api::BytesTotal, bay_property_callback),
    CRADLE_PROPERTY(bay_api::BytesDone, bay_property_callback),
    CRADLE_PROPERTY(bay_api::Rate, bay_property_callback),
    CRADLE_PROPERTY(bay_api::EtaSeconds, bay_property_callback),
    SD_BUS_VTABLE_END,
};

const sd_bus_vtable kDeviceVtable[] = {
    SD_BUS_VTABLE_START(0),
    CRADLE_PROPERTY(device_api::Serial, device_property_callback),
    CRADLE_PROPERTY(device_api::Manufacturer, device_property_callback),
    CRADLE_PROPERTY(device_api::Model, device_property_callback),
    CRADLE_PROPERTY(device_api::Firmware, device_property_callback),
    CRADLE_PROPERTY(device_api::Registered, device_property_callback),
    CRADLE_PROPERTY(device_api::Custodian, device_property_callback),
    CRADLE_PROPERTY(device_api::Officer, device_property_callback),
    CRADLE_PROPERTY(device_api::Head, device_property_callback),
    CRADLE_PROPERTY(device_api::FirstSeen, device_property_callback),
    CRADLE_PROPERTY(device_api::LastSeen, device_property_callback),
    CRADLE_PROPERTY(device_api::LastOutcome, device_property_callback),
    CRADLE_PROPERTY(device_api::Retired, device_property_callback),
    CRADLE_PROPERTY(device_api::Readiness, device_property_callback),
    CRADLE_PROPERTY(device_api::ReadinessAt, device_property_callback),
    SD_BUS_VTABLE_END,
};

#undef CRADLE_METHOD
#undef CRADLE_SIGNAL
#undef CRADLE_PROPERTY

DbusServer::DbusServer(ServiceApi& service, const BusOptions& options) : service_(service) {
    connect(options);
    try {
        catalog_.emplace(Catalog::open_read_only(service_.config().state_dir / "catalog.sqlite"));
        load_last_outcomes();
    } catch (const CatalogError& e) {
        throw BusError(std::string("the D-Bus API cannot read the catalog: ") + e.what());
    }
}

void DbusServer::connect(const BusOptions& options) {
    address_ = options.address;
    if (address_.empty()) {
        const char* system = std::getenv("DBUS_SYSTEM_BUS_ADDRESS");
        address_ = system && *system ? system : kDefaultSystemBus;
    }
    sd_bus* raw = nullptr;
    int r = sd_bus_new(&raw);
    if (r < 0) throw BusError("cannot create a D-Bus connection: " + errno_text(r));
    bus_.reset(raw);
    r = sd_bus_set_address(bus_.get(), address_.c_str());
    if (r < 0) throw BusError("invalid D-Bus address '" + address_ + "': " + errno_text(r));
    sd_bus_set_bus_client(bus_.get(), 1);
    sd_bus_set_description(bus_.get(), "cradled");
    r = sd_bus_start(bus_.get());
    if (r < 0) {
        throw BusError("cannot connect to the D-Bus bus at " + address_ + ": " + errno_text(r));
    }
    sd_bus_set_method_call_timeout(bus_.get(), kMethodCallTimeoutUsec);
}

void DbusServer::load_last_outcomes() {
    std::map<std::int64_t, std::string> serials;
    for (const auto& device : catalog_->devices()) {
        serials[device.id] = device.serial;
        known_devices_.insert(device.serial);
    }
    std::map<std::string, std::pair<std::int64_t, std::int64_t>> latest;  // started_at, id
    for (const auto& dock : catalog_->dock_sessions()) {
        auto serial = serials.find(dock.device_id);
        if (serial == serials.end() || dock.outcome.empty()) continue;
        auto order = std::make_pair(dock.started_at, dock.id);
        auto seen = latest.find(serial->second);
        if (seen != latest.end() && seen->second > order) continue;
        latest[serial->second] = order;
        last_outcomes_[serial->second] = dock.outcome;
    }
}

void DbusServer::start() {
    add_objects();
    take_name();
    std::weak_ptr<DbusServer> weak = weak_from_this();
    loop_ = std::make_unique<dbus::BusLoop>(service_.io(), bus_.get(), [weak](int error) {
        if (auto self = weak.lock()) self->connection_lost(error);
    });
    last_bays_ = service_.status().all();
    // The board and the service have no way to unsubscribe: the listeners outlive this
    // server and find it gone.
    // A failure to signal must never reach the service's code that made the change.
    service_.status().subscribe([weak](const BayStatus& status) {
        auto self = weak.lock();
        if (!self) return;
        try {
            self->bay_changed(status);
        } catch (const std::exception& e) {
            self->service_.log().warning({}, std::string("D-Bus: bay signal lost: ") + e.what());
        }
    });
    service_.on_dock_end([weak](const DockReport& report) {
        auto self = weak.lock();
        if (!self) return;
        try {
            self->dock_ended(report);
        } catch (const std::exception& e) {
            self->service_.log().warning({}, std::string("D-Bus: dock signal lost: ") + e.what());
        }
    });
    service_.log().info({},
                        std::string("D-Bus API served as ") + dbus::kBusName + " at " + address_);
}

void DbusServer::add_objects() {
    auto add = [this](int r, const char* what) {
        if (r < 0) throw BusError(std::string("cannot serve ") + what + ": " + errno_text(r));
    };
    sd_bus_slot* slot = nullptr;
    add(sd_bus_add_object_vtable(bus_.get(), &slot, dbus::kRootPath, dbus::kManagerInterface,
                                 kManagerVtable, this),
        dbus::kRootPath);
    slots_.emplace_back(slot);
    add(sd_bus_add_object_manager(bus_.get(), &slot, dbus::kRootPath), "the object manager");
    slots_.emplace_back(slot);
    for (int bay = 1; bay <= service_.status().bay_count(); ++bay) {
        bay_objects_.push_back(BayObject{this, bay});
        std::string path = bay_path(bay);
        add(sd_bus_add_object_vtable(bus_.get(), &slot, path.c_str(), dbus::kBayInterface,
                                     kBayVtable, &bay_objects_.back()),
            path.c_str());
        slots_.emplace_back(slot);
    }
    add(sd_bus_add_fallback_vtable(bus_.get(), &slot, dbus::kDevicePathPrefix,
                                   dbus::kDeviceInterface, kDeviceVtable, find_device_callback,
                                   this),
        dbus::kDevicePathPrefix);
    slots_.emplace_back(slot);
    add(sd_bus_add_node_enumerator(bus_.get(), &slot, dbus::kDevicePathPrefix,
                                   enumerate_devices_callback, this),
        dbus::kDevicePathPrefix);
    slots_.emplace_back(slot);
}

void DbusServer::take_name() {
    // Without SD_BUS_NAME_QUEUE a taken name is refused at once instead of waited for.
    int r = sd_bus_request_name(bus_.get(), dbus::kBusName, 0);
    if (r == -EEXIST) {
        throw BusError(std::string("another cradled already serves ") + dbus::kBusName +
                       " on this bus");
    }
    if (r == -EACCES || r == -EPERM) {
        throw BusError(std::string("the bus policy at ") + address_ +
                       " does not let this user own " + dbus::kBusName +
                       " (is org.cradled.Cradle1.conf installed, and does cradled run as user "
                       "cradled?)");
    }
    if (r < 0) {
        throw BusError(std::string("cannot take the name ") + dbus::kBusName + " on " + address_ +
                       ": " + errno_text(r));
    }
}

void DbusServer::close() {
    // Answers still due go unanswered: the callers get an error from their bus when the
    // connection closes.
    checks_.clear();
    parked_.clear();
    slots_.clear();
    loop_.reset();
    // Closing the connection releases the name.
    bus_.reset();
    catalog_.reset();
}

void DbusServer::connection_lost(int error) {
    lost_ = true;
    service_.log().error({}, "D-Bus connection to " + address_ + " lost (" + errno_text(error) +
                                 "): the API is unavailable until cradled restarts; offloading "
                                 "goes on");
}

// --- Manager methods ---

int DbusServer::list_bays(sd_bus_message* call) {
    sd_bus_message* raw = nullptr;
    check(sd_bus_message_new_method_return(call, &raw), "reply");
    dbus::MessagePtr reply(raw);
    check(sd_bus_message_open_container(reply.get(), 'a', kBayType), "reply");
    for (const auto& bay : service_.status().all()) check(append_bay(reply.get(), bay), "reply");
    check(sd_bus_message_close_container(reply.get()), "reply");
    return sd_bus_send(nullptr, reply.get(), nullptr);
}

int DbusServer::list_devices(sd_bus_message* call) {
    std::vector<DeviceRow> devices = catalog_->devices();
    std::sort(devices.begin(), devices.end(),
              [](const DeviceRow& a, const DeviceRow& b) { return a.serial < b.serial; });
    sd_bus_message* raw = nullptr;
    check(sd_bus_message_new_method_return(call, &raw), "reply");
    dbus::MessagePtr reply(raw);
    check(sd_bus_message_open_container(reply.get(), 'a', kDeviceType), "reply");
    for (const auto& device : devices) check(append_device(reply.get(), device), "reply");
    check(sd_bus_message_close_container(reply.get()), "reply");
    return sd_bus_send(nullptr, reply.get(), nullptr);
}

int DbusServer::get_device(sd_bus_message* call) {
    const char* serial = nullptr;
    check(sd_bus_message_read(call, manager_api::GetDevice::in, &serial), "arguments");
    require_valid("serial", serial);
    std::optional<DeviceRow> device = catalog_->find_device(serial);
    if (!device) throw no_such_device(serial);
    sd_bus_message* raw = nullptr;
    check(sd_bus_message_new_method_return(call, &raw), "reply");
    dbus::MessagePtr reply(raw);
    check(append_device(reply.get(), *device), "reply");
    return sd_bus_send(nullptr, reply.get(), nullptr);
}

int DbusServer::list_recordings(sd_bus_message* call) {
    const char* serial_arg = nullptr;
    std::int64_t from = 0;
    std::int64_t to = 0;
    std::uint32_t limit = 0;
    check(
        sd_bus_message_read(call, manager_api::ListRecordings::in, &serial_arg, &from, &to, &limit),
        "arguments");
    require_valid("serial", serial_arg, dbus::Emptiness::allowed);
    if (from < 0) throw CallError(SD_BUS_ERROR_INVALID_ARGS, "captured_from: negative");
    if (to < 0) throw CallError(SD_BUS_ERROR_INVALID_ARGS, "captured_to: negative");
    if (from != 0 && to != 0 && from > to) {
        throw CallError(SD_BUS_ERROR_INVALID_ARGS, "captured_from: later than captured_to");
    }
    if (listings_running_ >= kMaxListingsAtOnce) {
        throw CallError(SD_BUS_ERROR_LIMITS_EXCEEDED,
                        "too many recording lists are being read at once; try again shortly");
    }
    std::string serial = serial_arg;
    auto listing = std::make_shared<std::vector<RecordingListing>>();
    std::uint64_t ticket = park(call);
    ++listings_running_;
    std::weak_ptr<DbusServer> weak = weak_from_this();
    std::filesystem::path catalog_file = service_.config().state_dir / "catalog.sqlite";
    service_.background_work(
        [catalog_file, serial, from, to, limit, listing] {
            Catalog catalog = Catalog::open_read_only(catalog_file);
            std::map<std::int64_t, std::string> serials;
            std::optional<std::int64_t> only;
            for (const auto& device : catalog.devices()) {
                serials[device.id] = device.serial;
                if (device.serial == serial) only = device.id;
            }
            if (!serial.empty() && !only) throw no_such_device(serial);
            std::size_t reply_bytes = 0;
            // Filtered by SQLite: the device, the capture window, the latest `limit`; in
            // capture order.
            for (auto& row : catalog.recordings_captured({only, from, to, limit})) {
                std::string owner = serials[row.key.device_id];
                std::string name = sanitize_text(row.key.name);
                listing->push_back(
                    RecordingListing{std::move(row), std::move(owner), std::move(name)});
            }
            for (const auto& item : *listing) {
                reply_bytes += 64 + item.serial.size() + item.name.size() +
                               item.row.sha256_hex.size() + item.row.archive_path.size();
            }
            if (reply_bytes > kMaxReplyBytes) {
                throw CallError(SD_BUS_ERROR_LIMITS_EXCEEDED,
                                std::to_string(listing->size()) +
                                    " recordings are too many for one reply: narrow the "
                                    "capture window or set a limit");
            }
        },
        [weak, ticket, listing](std::exception_ptr failure) {
            auto self = weak.lock();
            if (!self) return;
            --self->listings_running_;
            self->guarded("recordings reply", [&] {
                self->answer(ticket, failure, [&listing](sd_bus_message* reply) {
                    int r = sd_bus_message_open_container(reply, 'a', kRecordingType);
                    for (const auto& item : *listing) {
                        if (r < 0) return r;
                        const RecordingRow& row = item.row;
                        r = sd_bus_message_append(
                            reply, kRecordingType, static_cast<std::int64_t>(row.id),
                            item.serial.c_str(), item.name.c_str(),
                            static_cast<std::uint64_t>(row.key.size), to_string(row.state),
                            row.sha256_hex.c_str(), row.archive_path.c_str(),
                            static_cast<std::int64_t>(row.key.captured_unix_s),
                            static_cast<std::int64_t>(row.archived_at),
                            static_cast<std::int64_t>(row.wiped_at));
                    }
                    if (r < 0) return r;
                    return sd_bus_message_close_container(reply);
                });
            });
        });
    return 1;
}

int DbusServer::verify(sd_bus_message* call) {
    // One verify at a time reads the archive: every caller meanwhile gets its result, so no
    // caller can fill the worker pool the bays need.
    verify_waiting_.push_back(park(call));
    if (verify_waiting_.size() > 1) return 1;
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
    return 1;
}

int credentials_callback(sd_bus_message* credentials, void* userdata, sd_bus_error*) {
    auto* check = static_cast<DbusServer::CredentialsCheck*>(userdata);
    try {
        check->server->credentials_known(check->ticket, credentials);
    } catch (...) {
        // The call stays unanswered; its caller's bus times it out.
    }
    return 0;
}

void DbusServer::when_custodian(std::uint64_t ticket, sd_bus_message* call, const char* method,
                                Allowed allowed) {
    auto check = std::make_unique<CredentialsCheck>();
    check->server = this;
    check->ticket = ticket;
    check->method = method;
    check->allowed = std::move(allowed);
    const char* sender = sd_bus_message_get_sender(call);
    int r = -ENXIO;
    sd_bus_slot* slot = nullptr;
    if (sender != nullptr) {
        r = sd_bus_call_method_async(bus_.get(), &slot, "org.freedesktop.DBus",
                                     "/org/freedesktop/DBus", "org.freedesktop.DBus",
                                     "GetConnectionCredentials", credentials_callback, check.get(),
                                     "s", sender);
    }
    if (r < 0) {
        deny(ticket, "the bus could not say who is calling (" + errno_text(r) + ")");
        return;
    }
    check->pending.reset(slot);
    checks_.emplace(ticket, std::move(check));
}

void DbusServer::deny(std::uint64_t ticket, const std::string& why) {
    answer(ticket, std::make_exception_ptr(CallError(SD_BUS_ERROR_ACCESS_DENIED, why)), nullptr);
}

void DbusServer::credentials_known(std::uint64_t ticket, sd_bus_message* credentials) {
    auto found = checks_.find(ticket);
    if (found == checks_.end()) return;
    // Dropped when this returns, which is after sd-bus is done with its reply callback.
    std::unique_ptr<CredentialsCheck> check = std::move(found->second);
    checks_.erase(found);
    dbus::Caller caller;
    int r = dbus::read_caller(credentials, caller);
    if (r < 0) {
        deny(ticket, "the bus could not say who is calling (" + errno_text(r) + ")");
        return;
    }
    std::string denial = dbus::custodian_denial(caller, service_.config().custodian_group);
    if (!denial.empty()) {
        service_.log().warning({}, "D-Bus: " + check->method + " refused to " + caller.changed_by +
                                       ": not a custodian");
        deny(ticket, denial);
        return;
    }
    try {
        check->allowed(ticket, caller);
    } catch (...) {
        answer(ticket, std::current_exception(), nullptr);
    }
}

int DbusServer::register_device(sd_bus_message* call) {
    const char* serial = nullptr;
    const char* custodian = nullptr;
    const char* officer = nullptr;
    const char* head = nullptr;
    check(sd_bus_message_read(call, manager_api::RegisterDevice::in, &serial, &custodian, &officer,
                              &head),
          "arguments");
    // Who calls is checked before what they ask: a caller who may not change the register
    // learns nothing from its arguments.
    when_custodian(park(call), call, "RegisterDevice",
                   [this, device = std::string(serial), custodian = std::string(custodian),
                    officer = std::string(officer),
                    head = std::string(head)](std::uint64_t ticket, const dbus::Caller& caller) {
                       require_valid("serial", device.c_str());
                       require_valid("custodian", custodian.c_str());
                       require_valid("officer", officer.c_str());
                       require_valid("head", head.c_str());
                       change_register(ticket, device,
                                       [device, custodian, officer, head,
                                        changed_by = caller.changed_by](Catalog& catalog) {
                                           catalog.register_device(device, custodian, officer, head,
                                                                   unix_now(), changed_by);
                                       });
                   });
    return 1;
}

int DbusServer::assign_device(sd_bus_message* call) {
    const char* serial = nullptr;
    const char* officer = nullptr;
    check(sd_bus_message_read(call, manager_api::AssignDevice::in, &serial, &officer), "arguments");
    when_custodian(park(call), call, "AssignDevice",
                   [this, device = std::string(serial), officer = std::string(officer)](
                       std::uint64_t ticket, const dbus::Caller& caller) {
                       require_valid("serial", device.c_str());
                       require_valid("officer", officer.c_str());
                       change_register(
                           ticket, device,
                           [device, officer, changed_by = caller.changed_by](Catalog& catalog) {
                               std::optional<DeviceRow> row = catalog.find_device(device);
                               if (!row) throw no_such_device(device);
                               if (!row->registered) {
                                   throw CallError(
                                       SD_BUS_ERROR_INVALID_ARGS,
                                       "serial: device '" + device +
                                           "' is not registered yet (RegisterDevice first)");
                               }
                               catalog.assign_officer(device, officer, unix_now(), changed_by);
                           });
                   });
    return 1;
}

int DbusServer::retire_device(sd_bus_message* call) {
    const char* serial = nullptr;
    const char* reason = nullptr;
    check(sd_bus_message_read(call, manager_api::RetireDevice::in, &serial, &reason), "arguments");
    when_custodian(park(call), call, "RetireDevice",
                   [this, device = std::string(serial), reason = std::string(reason)](
                       std::uint64_t ticket, const dbus::Caller& caller) {
                       require_valid("serial", device.c_str());
                       require_valid("reason", reason.c_str(), dbus::Emptiness::refused,
                                     dbus::kMaxReasonBytes);
                       change_register(
                           ticket, device,
                           [device, reason, changed_by = caller.changed_by](Catalog& catalog) {
                               if (!catalog.find_device(device)) {
                                   throw no_such_device(device);
                               }
                               catalog.retire_device(device, reason, unix_now(), changed_by);
                           });
                   });
    return 1;
}

int DbusServer::get_device_history(sd_bus_message* call) {
    const char* serial = nullptr;
    std::int64_t from = 0;
    std::int64_t to = 0;
    check(sd_bus_message_read(call, manager_api::GetDeviceHistory::in, &serial, &from, &to),
          "arguments");
    require_valid("serial", serial, dbus::Emptiness::allowed);
    if (from < 0) throw CallError(SD_BUS_ERROR_INVALID_ARGS, "from: negative");
    if (to < 0) throw CallError(SD_BUS_ERROR_INVALID_ARGS, "to: negative");
    if (from != 0 && to != 0 && from > to) {
        throw CallError(SD_BUS_ERROR_INVALID_ARGS, "from: later than to");
    }
    if (*serial != '\0' && !catalog_->find_device(serial)) throw no_such_device(serial);
    std::vector<DeviceHistoryRow> history = catalog_->device_history(serial, from, to);
    std::size_t reply_bytes = 0;
    for (const auto& row : history) {
        reply_bytes += 32 + row.serial.size() + row.action.size() + row.custodian.size() +
                       row.officer.size() + row.head.size() + row.previous_custodian.size() +
                       row.previous_officer.size() + row.previous_head.size() +
                       row.changed_by.size() + row.reason.size();
    }
    if (reply_bytes > kMaxReplyBytes) {
        throw CallError(SD_BUS_ERROR_LIMITS_EXCEEDED,
                        std::to_string(history.size()) +
                            " history entries are too many for one reply: narrow the window");
    }
    sd_bus_message* raw = nullptr;
    check(sd_bus_message_new_method_return(call, &raw), "reply");
    dbus::MessagePtr reply(raw);
    check(sd_bus_message_open_container(reply.get(), 'a', kHistoryType), "reply");
    for (const auto& row : history) {
        check(sd_bus_message_append(
                  reply.get(), kHistoryType, static_cast<std::int64_t>(row.at), row.serial.c_str(),
                  row.action.c_str(), row.custodian.c_str(), row.officer.c_str(), row.head.c_str(),
                  row.previous_custodian.c_str(), row.previous_officer.c_str(),
                  row.previous_head.c_str(), row.changed_by.c_str(), row.reason.c_str()),
              "reply");
    }
    check(sd_bus_message_close_container(reply.get()), "reply");
    return sd_bus_send(nullptr, reply.get(), nullptr);
}

// --- Report facts and the officers' roster ---

namespace {

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

template <class Facts>
int DbusServer::reply_with_facts(
    sd_bus_message* call, std::function<Facts(const Catalog&, const std::string& cradle)> read,
    int (*append)(sd_bus_message*, const Facts&)) {
    if (listings_running_ >= kMaxListingsAtOnce) {
        throw CallError(SD_BUS_ERROR_LIMITS_EXCEEDED,
                        "too many reports and recording lists are being read at once; try again "
                        "shortly");
    }
    auto facts = std::make_shared<Facts>();
    std::uint64_t ticket = park(call);
    ++listings_running_;
    std::weak_ptr<DbusServer> weak = weak_from_this();
    std::filesystem::path catalog_file = service_.config().state_dir / "catalog.sqlite";
    service_.background_work(
        [catalog_file, cradle = cradle_name_, read = std::move(read), facts] {
            Catalog catalog = Catalog::open_read_only(catalog_file);
            *facts = read(catalog, cradle);
            if (dbus::approximate_bytes(*facts) > kMaxReplyBytes) {
                throw CallError(SD_BUS_ERROR_LIMITS_EXCEEDED,
                                "the report's facts are too many for one reply: ask for a shorter "
                                "period, or use cradlectl --state-dir on the cradle");
            }
        },
        [weak, ticket, facts, append](std::exception_ptr failure) {
            auto self = weak.lock();
            if (!self) return;
            --self->listings_running_;
            self->guarded("report facts reply", [&] {
                self->answer(ticket, failure,
                             [&](sd_bus_message* reply) { return append(reply, *facts); });
            });
        });
    return 1;
}

int DbusServer::get_assignments_facts(sd_bus_message* call) {
    std::int64_t from = 0;
    std::int64_t to = 0;
    check(sd_bus_message_read(call, manager_api::GetAssignmentsFacts::in, &from, &to), "arguments");
    require_period(from, to);
    return reply_with_facts<reports::AssignmentsInput>(
        call,
        [period = reports::Period{from, to}](const Catalog& catalog, const std::string& cradle) {
            return read_assignments_input(catalog, period, cradle);
        },
        &dbus::append_assignments_facts);
}

int DbusServer::get_dock_day_facts(sd_bus_message* call) {
    const char* date = nullptr;
    std::int64_t from = 0;
    std::int64_t to = 0;
    check(sd_bus_message_read(call, manager_api::GetDockDayFacts::in, &date, &from, &to),
          "arguments");
    require_valid("date", date);
    require_period(from, to);
    return reply_with_facts<reports::DockDayInput>(
        call,
        [date = std::string(date), day = reports::Period{from, to}](const Catalog& catalog,
                                                                    const std::string& cradle) {
            return read_dock_day_input(catalog, date, day, cradle);
        },
        &dbus::append_dock_day_facts);
}

int DbusServer::list_officers(sd_bus_message* call) {
    std::vector<OfficerRow> officers = catalog_->officers();
    sd_bus_message* raw = nullptr;
    check(sd_bus_message_new_method_return(call, &raw), "reply");
    dbus::MessagePtr reply(raw);
    check(sd_bus_message_open_container(reply.get(), 'a', dbus::kOfficerListType), "reply");
    for (const auto& officer : officers) {
        check(sd_bus_message_append(reply.get(), dbus::kOfficerListType, officer.badge.c_str(),
                                    officer.name.c_str(), officer.team.c_str(),
                                    static_cast<std::int64_t>(officer.updated_at)),
              "reply");
    }
    check(sd_bus_message_close_container(reply.get()), "reply");
    return sd_bus_send(nullptr, reply.get(), nullptr);
}

int DbusServer::import_officers(sd_bus_message* call) {
    // Who calls is checked before what they ask: the arguments, up to 100,000 entries, are read
    // only for a caller who may change the roster.
    when_custodian(
        park(call), call, "ImportOfficers",
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

void DbusServer::change_register(std::uint64_t ticket, const std::string& serial,
                                 std::function<void(Catalog&)> change) {
    service_.catalog_work(std::move(change),
                          [weak = weak_from_this(), ticket, serial](std::exception_ptr failure) {
                              auto self = weak.lock();
                              if (!self) return;
                              self->guarded("register change", [&] {
                                  self->answer(ticket, failure, nullptr);
                                  if (!failure) self->device_changed(serial);
                              });
                          });
}

std::uint64_t DbusServer::park(sd_bus_message* call) {
    std::uint64_t ticket = next_ticket_++;
    parked_.emplace(ticket, dbus::keep(call));
    return ticket;
}

void DbusServer::answer(std::uint64_t ticket, std::exception_ptr failure,
                        const std::function<int(sd_bus_message*)>& fill) {
    auto parked = parked_.find(ticket);
    if (parked == parked_.end()) return;
    dbus::MessagePtr call = std::move(parked->second);
    parked_.erase(parked);
    if (!serving()) return;
    dbus::BusErrorText error;
    int r = 0;
    if (failure) {
        try {
            std::rethrow_exception(failure);
        } catch (...) {
            r = error_from_current_exception(error.get());
        }
    } else {
        sd_bus_message* raw = nullptr;
        r = sd_bus_message_new_method_return(call.get(), &raw);
        dbus::MessagePtr reply(raw);
        if (r >= 0 && fill) r = fill(reply.get());
        if (r >= 0) r = sd_bus_send(nullptr, reply.get(), nullptr);
        if (r < 0 && !sd_bus_error_is_set(error.get())) {
            sd_bus_error_set_errno(error.get(), r);
        }
    }
    if (r < 0) sd_bus_reply_method_error(call.get(), error.get());
    loop_->wake();
}

// --- Properties ---

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
    if (name == manager_api::ClockSynchronised::name) {
        return append_value<manager_api::ClockSynchronised>(
            reply, static_cast<int>(system_clock_synchronised()));
    }
    return -ENOENT;
}

int DbusServer::bay_property(int bay_number, const char* property, sd_bus_message* reply) {
    std::string_view name = property;
    if (name == bay_api::Number::name) {
        return append_value<bay_api::Number>(reply, static_cast<std::uint32_t>(bay_number));
    }
    BayStatus bay = service_.status().get(bay_number);
    if (name == bay_api::Phase::name)
        return append_value<bay_api::Phase>(reply, to_string(bay.phase));
    if (name == bay_api::Light::name)
        return append_value<bay_api::Light>(reply, light_name(bay.light));
    if (name == bay_api::DeviceSerial::name)
        return append_value<bay_api::DeviceSerial>(reply, bay.serial.c_str());
    if (name == bay_api::DeviceModel::name)
        return append_value<bay_api::DeviceModel>(reply, bay.model.c_str());
    if (name == bay_api::Outcome::name)
        return append_value<bay_api::Outcome>(reply, bay.outcome.c_str());
    if (name == bay_api::DockedSince::name) {
        return append_value<bay_api::DockedSince>(reply,
                                                  static_cast<std::int64_t>(bay.docked_since));
    }
    if (name == bay_api::RecordingsTotal::name) {
        return append_value<bay_api::RecordingsTotal>(
            reply, static_cast<std::uint32_t>(bay.recordings_total));
    }
    if (name == bay_api::RecordingsDone::name) {
        return append_value<bay_api::RecordingsDone>(
            reply, static_cast<std::uint32_t>(bay.recordings_done));
    }
    if (name == bay_api::BytesTotal::name) {
        return append_value<bay_api::BytesTotal>(reply,
                                                 static_cast<std::uint64_t>(bay.bytes_total));
    }
    if (name == bay_api::BytesDone::name) {
        return append_value<bay_api::BytesDone>(reply, static_cast<std::uint64_t>(bay.bytes_done));
    }
    if (name == bay_api::Rate::name) {
        return append_value<bay_api::Rate>(reply, static_cast<double>(bay.rate_bytes_per_s));
    }
    if (name == bay_api::EtaSeconds::name) {
        return append_value<bay_api::EtaSeconds>(reply, static_cast<std::int64_t>(bay.eta_s));
    }
    return -ENOENT;
}

bool DbusServer::device_exists(const char* path) {
    std::optional<std::string> serial = device_serial(path);
    return serial && catalog_->find_device(*serial).has_value();
}

std::vector<std::string> DbusServer::device_paths() {
    std::vector<std::string> paths;
    for (const auto& device : catalog_->devices()) paths.push_back(device_path(device.serial));
    return paths;
}

int DbusServer::device_property(const char* path, const char* property, sd_bus_message* reply) {
    std::optional<std::string> serial = device_serial(path);
    if (!serial) return -ENOENT;
    std::optional<DeviceRow> device = catalog_->find_device(*serial);
    if (!device) throw no_such_device(*serial);
    std::string_view name = property;
    if (name == device_api::Serial::name)
        return append_value<device_api::Serial>(reply, device->serial.c_str());
    if (name == device_api::Manufacturer::name) {
        return append_value<device_api::Manufacturer>(reply, device->manufacturer.c_str());
    }
    if (name == device_api::Model::name)
        return append_value<device_api::Model>(reply, device->model.c_str());
    if (name == device_api::Firmware::name)
        return append_value<device_api::Firmware>(reply, device->firmware.c_str());
    if (name == device_api::Registered::name) {
        return append_value<device_api::Registered>(reply, static_cast<int>(device->registered));
    }
    if (name == device_api::Custodian::name)
        return append_value<device_api::Custodian>(reply, device->custodian.c_str());
    if (name == device_api::Officer::name)
        return append_value<device_api::Officer>(reply, device->officer.c_str());
    if (name == device_api::Head::name)
        return append_value<device_api::Head>(reply, device->head.c_str());
    if (name == device_api::FirstSeen::name) {
        return append_value<device_api::FirstSeen>(reply,
                                                   static_cast<std::int64_t>(device->first_seen));
    }
    if (name == device_api::LastSeen::name) {
        return append_value<device_api::LastSeen>(reply,
                                                  static_cast<std::int64_t>(device->last_seen));
    }
    if (name == device_api::Retired::name) {
        return append_value<device_api::Retired>(reply, static_cast<int>(device->retired));
    }
    if (name == device_api::Readiness::name || name == device_api::ReadinessAt::name) {
        std::optional<reports::ReadinessFacts> readiness =
            read_device_readiness(*catalog_, device->serial);
        if (name == device_api::Readiness::name) {
            return append_value<device_api::Readiness>(reply,
                                                       readiness ? readiness->verdict.c_str() : "");
        }
        return append_value<device_api::ReadinessAt>(
            reply, static_cast<std::int64_t>(readiness ? readiness->at : 0));
    }
    if (name == device_api::LastOutcome::name) {
        auto outcome = last_outcomes_.find(device->serial);
        return append_value<device_api::LastOutcome>(
            reply, outcome == last_outcomes_.end() ? "" : outcome->second.c_str());
    }
    return -ENOENT;
}

// --- Signals ---

void DbusServer::bay_changed(const BayStatus& status) {
    if (!serving() || status.bay < 1 || status.bay > static_cast<int>(last_bays_.size())) return;
    BayStatus& last = last_bays_[static_cast<std::size_t>(status.bay - 1)];
    const bool phase_or_light = last.phase != status.phase || last.light != status.light;
    // A docked camera whose verdict changes after its dock ended (a charging camera that
    // reached the battery threshold) has a new readiness in the catalog.
    const bool verdict_changed = last.phase == BayPhase::done && status.phase == BayPhase::done &&
                                 last.outcome != status.outcome && !status.serial.empty();
    // A camera identified in a bay is "docked: being checked" until its dock gives a verdict.
    const bool identified = !status.serial.empty() && last.serial != status.serial;
    std::vector<char*> changed;
    auto note = [&changed](bool differs, const char* name) {
        if (differs) changed.push_back(const_cast<char*>(name));
    };
    note(last.phase != status.phase, bay_api::Phase::name);
    note(last.light != status.light, bay_api::Light::name);
    note(last.serial != status.serial, bay_api::DeviceSerial::name);
    note(last.model != status.model, bay_api::DeviceModel::name);
    note(last.outcome != status.outcome, bay_api::Outcome::name);
    note(last.docked_since != status.docked_since, bay_api::DockedSince::name);
    note(last.recordings_total != status.recordings_total, bay_api::RecordingsTotal::name);
    note(last.recordings_done != status.recordings_done, bay_api::RecordingsDone::name);
    note(last.bytes_total != status.bytes_total, bay_api::BytesTotal::name);
    note(last.bytes_done != status.bytes_done, bay_api::BytesDone::name);
    note(last.rate_bytes_per_s != status.rate_bytes_per_s, bay_api::Rate::name);
    note(last.eta_s != status.eta_s, bay_api::EtaSeconds::name);
    last = status;
    if (!changed.empty()) {
        changed.push_back(nullptr);
        std::string path = bay_path(status.bay);
        sd_bus_emit_properties_changed_strv(bus_.get(), path.c_str(), dbus::kBayInterface,
                                            changed.data());
    }
    if (phase_or_light) {
        using BayChanged = manager_api::BayChanged;
        sd_bus_emit_signal(bus_.get(), dbus::kRootPath, dbus::kManagerInterface, BayChanged::name,
                           BayChanged::signature, static_cast<std::uint32_t>(status.bay),
                           to_string(status.phase), light_name(status.light));
    }
    if (verdict_changed || identified) device_changed(status.serial);
    loop_->wake();
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

void DbusServer::device_changed(const std::string& serial) {
    if (!serving()) return;
    using DeviceChanged = manager_api::DeviceChanged;
    sd_bus_emit_signal(bus_.get(), dbus::kRootPath, dbus::kManagerInterface, DeviceChanged::name,
                       DeviceChanged::signature, serial.c_str());
    std::string path = device_path(serial);
    if (known_devices_.insert(serial).second) {
        sd_bus_emit_object_added(bus_.get(), path.c_str());
    } else {
        static const std::vector<char*> names = device_changing_properties();
        sd_bus_emit_properties_changed_strv(bus_.get(), path.c_str(), dbus::kDeviceInterface,
                                            const_cast<char**>(names.data()));
    }
    loop_->wake();
}

class DbusFrontend : public Frontend {
  public:
    explicit DbusFrontend(std::shared_ptr<DbusServer> server) : server_(std::move(server)) {}
    ~DbusFrontend() override { server_->close(); }

  private:
    std::shared_ptr<DbusServer> server_;
};

}  // namespace

std::unique_ptr<Frontend> start_dbus_server(ServiceApi& service, const BusOptions& options) {
    try {
        auto server = std::make_shared<DbusServer>(service, options);
        server->start();
        return std::make_unique<DbusFrontend>(std::move(server));
    } catch (const BusError&) {
        throw;
    } catch (const std::exception& e) {
        throw BusError(std::string("the D-Bus API could not start: ") + e.what());
    }
}

}  // namespace cradle
