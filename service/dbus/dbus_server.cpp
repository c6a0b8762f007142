// SPDX-License-Identifier: Apache-2.0
// The D-Bus API of dbus/org.cradled.Cradle1.xml, served with sd-bus: the connection, the calls
// parked and answered, and what every object's file shares (dbus_server_internal.hpp).
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
//
// When the bus goes away (the bus daemon restarted), offloading goes on; the server connects
// again after 1 s, then after pauses that double up to 30 s, until it serves the API again.
// Calls in flight when the connection was lost are not answered: their callers' bus is gone.
#include "service/dbus/dbus_server_internal.hpp"

#include "common/text.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

namespace cradle {
namespace dbus_server {
namespace {

constexpr const char* kDefaultSystemBus = "unix:path=/run/dbus/system_bus_socket";

// The credential look-up of a changing call (GetConnectionCredentials, asked asynchronously):
// a bus daemon that does not answer within this makes the call fail as AccessDenied.
constexpr std::uint64_t kMethodCallTimeoutUsec = 5'000'000;

// The pauses before each attempt to connect again after the bus was lost.
constexpr std::chrono::milliseconds kFirstReconnectPause{1'000};
constexpr std::chrono::milliseconds kLongestReconnectPause{30'000};

// The name reports print for this cradle.
std::string host_name() {
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "cradle";
    return sanitize_text(name);
}

}  // namespace

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
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

CallError no_such_device(const std::string& serial) {
    return CallError(dbus::kErrorNoSuchDevice,
                     "no device with serial '" + serial + "' in the register or catalog");
}

void require_valid(std::string_view name, const char* value, dbus::Emptiness empty,
                   std::size_t max_bytes) {
    std::string problem = dbus::argument_problem(name, value ? value : "", empty, max_bytes);
    if (!problem.empty()) throw CallError(SD_BUS_ERROR_INVALID_ARGS, problem);
}

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

void check(int r, const char* what) {
    if (r < 0) {
        if (r == -ENOMEM) throw std::bad_alloc();
        throw std::runtime_error(std::string(what) + ": " + errno_text(r));
    }
}

DbusServer::DbusServer(ServiceApi& service, const BusOptions& options)
    : service_(service), cradle_name_(host_name()) {
    address_ = options.address;
    if (address_.empty()) {
        const char* system = std::getenv("DBUS_SYSTEM_BUS_ADDRESS");
        address_ = system && *system ? system : kDefaultSystemBus;
    }
    connect();
    try {
        catalog_.emplace(Catalog::open_read_only(service_.config().state_dir / "catalog.sqlite"));
        load_last_outcomes();
    } catch (const CatalogError& e) {
        throw BusError(std::string("the D-Bus API cannot read the catalog: ") + e.what());
    }
}

void DbusServer::connect() {
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

void DbusServer::serve() {
    auto add = [](int r, const std::string& what) {
        if (r < 0) throw BusError("cannot serve " + what + ": " + errno_text(r));
    };
    add(add_manager_object(), dbus::kRootPath);
    sd_bus_slot* slot = nullptr;
    add(sd_bus_add_object_manager(bus_.get(), &slot, dbus::kRootPath), "the object manager");
    slots_.emplace_back(slot);
    for (int bay = 1; bay <= service_.status().bay_count(); ++bay) {
        add(add_bay_object(bay), bay_path(bay));
    }
    add(add_device_objects(), dbus::kDevicePathPrefix);
    add_caller_guard();
    take_name();
    std::weak_ptr<DbusServer> weak = weak_from_this();
    loop_ = std::make_unique<dbus::BusLoop>(service_.io(), bus_.get(), [weak](int error) {
        if (auto self = weak.lock()) self->connection_lost(error);
    });
    last_bays_ = service_.status().all();
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
    serve();
    std::weak_ptr<DbusServer> weak = weak_from_this();
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
    retry_.reset();
    drop_connection();
    catalog_.reset();
}

void DbusServer::drop_connection() {
    // Answers still due go unanswered: the callers get an error from their bus when the
    // connection closes. A verify still running answers only the calls parked after this.
    checks_.clear();
    guard_questions_.clear();
    guard_ = {};
    parked_.clear();
    slots_.clear();
    bay_objects_.clear();
    loop_.reset();
    // Closing the connection releases the name.
    bus_.reset();
}

void DbusServer::connection_lost(int error) {
    lost_ = true;
    service_.log().error({}, "D-Bus connection to " + address_ + " lost (" + errno_text(error) +
                                 "): offloading goes on; connecting again");
    reconnect_attempts_ = 0;
    retry_ = std::make_unique<dbus::RetryTimer>(service_.io());
    std::weak_ptr<DbusServer> weak = weak_from_this();
    retry_->after(kFirstReconnectPause, [weak] {
        if (auto self = weak.lock()) self->reconnect();
    });
}

void DbusServer::reconnect() {
    drop_connection();
    try {
        connect();
        lost_ = false;
        serve();
        service_.log().info(
            {}, std::string("D-Bus API served again as ") + dbus::kBusName + " at " + address_);
        return;
    } catch (const std::exception& e) {
        lost_ = true;
        drop_connection();
        // Said once, not at every attempt: the journal should not fill while the bus is away.
        if (reconnect_attempts_ == 0) {
            service_.log().warning({}, std::string("D-Bus: cannot serve the API again yet: ") +
                                           e.what() + "; trying again every " +
                                           std::to_string(kLongestReconnectPause.count() / 1000) +
                                           " s at most");
        }
    }
    ++reconnect_attempts_;
    const auto pause = std::min(kLongestReconnectPause,
                                kFirstReconnectPause * (1 << std::min(reconnect_attempts_, 5)));
    std::weak_ptr<DbusServer> weak = weak_from_this();
    retry_->after(pause, [weak] {
        if (auto self = weak.lock()) self->reconnect();
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

namespace {

class DbusFrontend : public Frontend {
  public:
    explicit DbusFrontend(std::shared_ptr<DbusServer> server) : server_(std::move(server)) {}
    ~DbusFrontend() override { server_->close(); }

  private:
    std::shared_ptr<DbusServer> server_;
};

}  // namespace

}  // namespace dbus_server

std::unique_ptr<Frontend> start_dbus_server(ServiceApi& service, const BusOptions& options) {
    try {
        auto server = std::make_shared<dbus_server::DbusServer>(service, options);
        server->start();
        return std::make_unique<dbus_server::DbusFrontend>(std::move(server));
    } catch (const BusError&) {
        throw;
    } catch (const std::exception& e) {
        throw BusError(std::string("the D-Bus API could not start: ") + e.what());
    }
}

}  // namespace cradle
